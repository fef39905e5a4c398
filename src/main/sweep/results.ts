// The results folder of a sweep: one row file per finished run (written whole, so a run killed half-way
// leaves nothing), merged into one table as CSV and Parquet, with the indices still missing or failed.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { writeFileAtomic } from './atomic'
import type { ParameterValue } from './plan'
import type { Sweep } from './sweepFile'

export interface ResultRow {
  index: number
  parameters: ParameterValue[]
  /** One per metric; null where there is none (no crossing, a run that failed before its first frame). */
  metrics: (number | null)[]
  status: 'ok' | 'failed'
  error: string
  wallSeconds: number
  /** keep: recording: the run's recording, relative to the results folder (runs/00000042.mcap), or '' for none. */
  recording?: string
}

/** What the folder says about itself: a folder belongs to one sweep (its file and base configuration). */
interface FolderMeta {
  format: 'hermes-console.sweep-results'
  sweep: string
  fingerprint: string
  runs: number
  parameters: string[]
  metrics: string[]
}

const ROWS = 'rows'
const META = 'sweep.json'
export const CSV_FILE = 'results.csv'
export const PARQUET_FILE = 'results.parquet'

/** JSON has no NaN, Infinity or -0: they are written as strings, so that a row reads back bit for bit. */
function encodeNumber(v: number | null): number | string | null {
  if (v === null) return null
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return 'Infinity'
  if (v === -Infinity) return '-Infinity'
  if (Object.is(v, -0)) return '-0'
  return v
}

function decodeNumber(v: unknown): number | null {
  if (v === null) return null
  if (typeof v === 'number') return v
  if (v === 'NaN') return NaN
  if (v === 'Infinity') return Infinity
  if (v === '-Infinity') return -Infinity
  if (v === '-0') return -0
  throw new Error(`expected a number, got ${JSON.stringify(v)}`)
}

const padded = (index: number): string => String(index).padStart(8, '0')
const rowName = (index: number): string => `${padded(index)}.json`

/** Where keep: recording puts each run's recording, relative to the results folder (and so to its table). */
export const RECORDINGS = 'runs'
export const recordingName = (index: number): string => `${RECORDINGS}/${padded(index)}.mcap`

/**
 * Recordings are written under a temporary name and renamed once closed (after the run, before its row):
 * a run killed half-way leaves a partial file, never one named as done, and its next run removes it.
 */
export class RecordingFiles {
  readonly dir: string

  constructor(resultsDir: string) {
    this.dir = join(resultsDir, RECORDINGS)
  }

  /** A new temporary file for run `index`, after removing what killed runs of it left. */
  partial(index: number): string {
    mkdirSync(this.dir, { recursive: true })
    this.clearPartial(index)
    return join(this.dir, `.${padded(index)}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`)
  }

  clearPartial(index: number): void {
    if (!existsSync(this.dir)) return
    const prefix = `.${padded(index)}.`
    for (const name of readdirSync(this.dir)) if (name.startsWith(prefix) && name.endsWith('.partial')) rmSync(join(this.dir, name), { force: true })
  }

  /** The closed recording under its name; returns that name, relative to the results folder. */
  finish(partial: string, index: number): string {
    renameSync(partial, join(this.dir, `${padded(index)}.mcap`))
    return recordingName(index)
  }
}

export class ResultsFolder {
  readonly rowsDir: string

  constructor(
    readonly dir: string,
    private readonly sweep: Sweep
  ) {
    this.rowsDir = join(dir, ROWS)
  }

  /**
   * Creates the folder, or checks that an existing one holds rows of this very sweep (the same sweep file
   * and base configuration): rows of another would be mixed into its table. Temporary files that killed
   * runs left are not rows (rows() never reads them); they are not removed here, since another task of the
   * same sweep (a Slurm array) may be writing its own at this moment.
   */
  open(): void {
    mkdirSync(this.rowsDir, { recursive: true })
    const metaFile = join(this.dir, META)
    const meta: FolderMeta = {
      format: 'hermes-console.sweep-results',
      sweep: this.sweep.file,
      fingerprint: this.sweep.fingerprint,
      runs: this.sweep.runs,
      parameters: this.sweep.parameters.map((p) => p.name),
      metrics: this.sweep.metrics.map((m) => m.name)
    }
    if (existsSync(metaFile)) {
      let found: Partial<FolderMeta>
      try {
        found = JSON.parse(readFileSync(metaFile, 'utf8')) as Partial<FolderMeta>
      } catch (error) {
        throw new Error(`${metaFile} is not a results folder's description: ${error instanceof Error ? error.message : String(error)}`)
      }
      if (found.fingerprint !== meta.fingerprint) {
        throw new Error(
          `the results folder ${this.dir} holds runs of another sweep (${found.sweep ?? 'unknown'}), or of this one before it or its base configuration changed: ` +
            `remove the folder, or give another one with --out`
        )
      }
    } else {
      writeFileAtomic(metaFile, `${JSON.stringify(meta, null, 1)}\n`)
    }
  }

  /** Removes the row of a run, so that the next sweep runs it again (--retry-failed). */
  forget(index: number): void {
    rmSync(join(this.rowsDir, rowName(index)), { force: true })
  }

  /** Written whole or not at all (a temporary file, then a rename). */
  write(row: ResultRow): void {
    const data = {
      index: row.index,
      parameters: row.parameters,
      metrics: row.metrics.map(encodeNumber),
      status: row.status,
      error: row.error,
      wall_s: row.wallSeconds,
      ...(this.sweep.keep === 'recording' ? { recording: row.recording ?? '' } : {})
    }
    // Not synced: a row costs a run of tens of milliseconds, and a sync can cost as much. A kill leaves
    // the row whole anyway; a power cut may leave an empty one, which reads as unreadable, so its run
    // counts as not finished and runs again.
    writeFileAtomic(join(this.rowsDir, rowName(row.index)), `${JSON.stringify(data)}\n`, { sync: false })
  }

  /** Indices whose row can be read: a sweep resumes by this. */
  finished(): Set<number> {
    return new Set(this.rows().rows.map((r) => r.index))
  }

  /** Indices with a row file, by name. */
  private named(): number[] {
    if (!existsSync(this.rowsDir)) return []
    const found: number[] = []
    for (const name of readdirSync(this.rowsDir)) {
      const m = /^(\d{8,})\.json$/.exec(name)
      if (m) found.push(Number(m[1]))
    }
    return found.sort((a, b) => a - b)
  }

  /** Every row, sorted by index; a row file that cannot be read is reported (its run counts as missing). */
  rows(): { rows: ResultRow[]; unreadable: string[] } {
    const rows: ResultRow[] = []
    const unreadable: string[] = []
    for (const index of this.named()) {
      const file = join(this.rowsDir, rowName(index))
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
        if (raw.index !== index || index >= this.sweep.runs || !Array.isArray(raw.parameters) || !Array.isArray(raw.metrics)) throw new Error('not a row of this sweep')
        if (raw.metrics.length !== this.sweep.metrics.length || raw.parameters.length !== this.sweep.parameters.length) throw new Error('its columns are not those of this sweep')
        rows.push({
          index,
          parameters: raw.parameters as ParameterValue[],
          metrics: raw.metrics.map(decodeNumber),
          status: raw.status === 'ok' ? 'ok' : 'failed',
          error: typeof raw.error === 'string' ? raw.error : '',
          wallSeconds: typeof raw.wall_s === 'number' ? raw.wall_s : NaN,
          ...(this.sweep.keep === 'recording' ? { recording: typeof raw.recording === 'string' ? raw.recording : '' } : {})
        })
      } catch (error) {
        unreadable.push(`${file}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    return { rows, unreadable }
  }

  /** Merges every row into results.csv and results.parquet; says which indices are missing or failed. */
  collect(): CollectReport {
    const { rows, unreadable } = this.rows()
    const have = new Set(rows.map((r) => r.index))
    const missing: number[] = []
    for (let i = 0; i < this.sweep.runs; i++) if (!have.has(i)) missing.push(i)
    const failed = rows.filter((r) => r.status === 'failed').map((r) => r.index)
    const csv = join(this.dir, CSV_FILE)
    const parquet = join(this.dir, PARQUET_FILE)
    writeFileAtomic(csv, toCsv(this.sweep, rows))
    writeFileAtomic(parquet, toParquet(this.sweep, rows))
    return { rows: rows.length, missing, failed, unreadable, csv, parquet }
  }
}

export interface CollectReport {
  rows: number
  missing: number[]
  failed: number[]
  unreadable: string[]
  csv: string
  parquet: string
}

/** Column names, in table order: index, every parameter, every metric, status, error, recording (keep: recording only), wall_s. */
export function columnNames(sweep: Sweep): string[] {
  return ['index', ...sweep.parameters.map((p) => p.name), ...sweep.metrics.map((m) => m.name), 'status', 'error', ...(sweep.keep === 'recording' ? ['recording'] : []), 'wall_s']
}

function csvCell(v: ParameterValue | number | null): string {
  if (v === null) return ''
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v)
  const text = String(v)
  return /[",\n\r]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** RFC 4180 CSV; numbers as JavaScript writes them (the shortest text that reads back to the same double). */
export function toCsv(sweep: Sweep, rows: readonly ResultRow[]): string {
  const lines = [columnNames(sweep).map(csvCell).join(',')]
  const recording = sweep.keep === 'recording'
  for (const r of rows) lines.push([r.index, ...r.parameters, ...r.metrics, r.status, r.error, ...(recording ? [r.recording ?? ''] : []), r.wallSeconds].map(csvCell).join(','))
  return `${lines.join('\r\n')}\r\n`
}

type ColumnType = 'DOUBLE' | 'BOOLEAN' | 'STRING'

/** A parameter column is numbers, booleans, or else text. */
function parameterType(values: readonly ParameterValue[]): ColumnType {
  if (values.every((v) => typeof v === 'number')) return 'DOUBLE'
  if (values.every((v) => typeof v === 'boolean')) return 'BOOLEAN'
  return 'STRING'
}

export function toParquet(sweep: Sweep, rows: readonly ResultRow[]): Uint8Array {
  const columns: { name: string; data: (number | string | boolean | null)[]; type: 'INT32' | ColumnType }[] = [{ name: 'index', data: rows.map((r) => r.index), type: 'INT32' }]
  sweep.parameters.forEach((p, i) => {
    const values = rows.map((r) => r.parameters[i]!)
    const type = p.spec.kind === 'uniform' || p.spec.kind === 'normal' ? 'DOUBLE' : parameterType(p.spec.values)
    columns.push({ name: p.name, data: type === 'STRING' ? values.map(String) : values, type })
  })
  sweep.metrics.forEach((m, i) => columns.push({ name: m.name, data: rows.map((r) => r.metrics[i] ?? null), type: 'DOUBLE' }))
  columns.push({ name: 'status', data: rows.map((r) => r.status), type: 'STRING' })
  columns.push({ name: 'error', data: rows.map((r) => r.error), type: 'STRING' })
  if (sweep.keep === 'recording') columns.push({ name: 'recording', data: rows.map((r) => r.recording ?? ''), type: 'STRING' })
  columns.push({ name: 'wall_s', data: rows.map((r) => r.wallSeconds), type: 'DOUBLE' })
  return new Uint8Array(parquetWriteBuffer({ columnData: columns }))
}
