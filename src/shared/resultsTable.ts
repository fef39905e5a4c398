// A results table of `hermes sweep` (results.csv or .parquet) read into columns for the console: numbers
// where every cell of a column is one, text otherwise; a file that is not such a table is refused, saying why.
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { MAX_RESULTS_BYTES } from './results'

export interface ResultsColumn {
  name: string
  kind: 'number' | 'text'
  /** kind number: the values (NaN where a cell is empty); kind text: NaN everywhere. */
  numbers: Float64Array
  /** The cells as text (what the table shows); '' for an empty cell. */
  texts: string[]
}

export interface ResultsDataset {
  /** The file's name, as shown. */
  name: string
  rows: number
  columns: ResultsColumn[]
  /** Run indices, per row. */
  index: Float64Array
  /** Per row: ok or failed. */
  status: string[]
  /** Per row: the recording relative to the table (runs/00000042.mcap), or '' (a table without the column: all ''). */
  recording: string[]
}

export class ResultsError extends Error {}

const REQUIRED = ['index', 'status'] as const
/** The columns a sweep writes around its parameters and metrics: not offered as scatter or histogram axes. */
export const BOOKKEEPING = new Set(['index', 'status', 'error', 'recording', 'wall_s'])

/** A CSV cell as a number the way results.csv writes them (JavaScript's shortest text, NaN, Infinity); null if it is not one. */
function cellNumber(text: string): number | null {
  if (text === 'NaN') return NaN
  if (text === 'Infinity') return Infinity
  if (text === '-Infinity') return -Infinity
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return null
  return Number(text)
}

/** RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let cell = ''
  let i = 0
  let quoted = false
  let line = 1
  const n = text.length
  while (i < n) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        continue
      }
      if (c === '\n') line++
      cell += c
      i++
      continue
    }
    if (c === '"' && cell === '') {
      quoted = true
      i++
    } else if (c === ',') {
      record.push(cell)
      cell = ''
      i++
    } else if (c === '\r' || c === '\n') {
      record.push(cell)
      records.push(record)
      record = []
      cell = ''
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
    } else {
      cell += c
      i++
    }
  }
  if (quoted) throw new ResultsError(`a quoted cell opened on or before line ${line} never closes`)
  if (cell !== '' || record.length > 0) {
    record.push(cell)
    records.push(record)
  }
  return records
}

/** Builds the dataset from a header and rows of cells (text, numbers or nulls), checking what a results table needs. */
function fromCells(name: string, header: string[], cells: (string | number | null)[][], where: (row: number) => string): ResultsDataset {
  if (header.length === 0 || header.every((h) => h === '')) throw new ResultsError('it has no header row')
  const seen = new Set<string>()
  for (const h of header) {
    if (seen.has(h)) throw new ResultsError(`its header names the column '${h}' twice`)
    seen.add(h)
  }
  const missing = REQUIRED.filter((r) => !seen.has(r))
  if (missing.length > 0) throw new ResultsError(`it has no ${missing.map((m) => `'${m}'`).join(' or ')} column, so it is not a results table of hermes sweep (its columns: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''})`)
  cells.forEach((r, i) => {
    if (r.length !== header.length) throw new ResultsError(`${where(i)} has ${r.length} cells; the header has ${header.length}`)
  })
  const rows = cells.length
  const columns: ResultsColumn[] = header.map((h, c) => {
    const numbers = new Float64Array(rows)
    const texts: string[] = new Array<string>(rows)
    let numeric = true
    for (let r = 0; r < rows; r++) {
      const v = cells[r]![c]!
      if (v === null || v === '') {
        numbers[r] = NaN
        texts[r] = ''
      } else if (typeof v === 'number') {
        numbers[r] = v
        texts[r] = String(v)
      } else {
        const x = cellNumber(v)
        if (x === null) numeric = false
        numbers[r] = x ?? NaN
        texts[r] = v
      }
    }
    if (!numeric) numbers.fill(NaN)
    return { name: h, kind: numeric ? 'number' : 'text', numbers, texts }
  })
  const col = (n: string): ResultsColumn | undefined => columns.find((c) => c.name === n)
  const index = col('index')!
  for (let r = 0; r < rows; r++) {
    const v = index.numbers[r]!
    if (!Number.isInteger(v) || v < 0) throw new ResultsError(`${where(r)}: its index '${index.texts[r]}' is not a run index (an integer of 0 or more)`)
  }
  return { name, rows, columns, index: index.numbers, status: col('status')!.texts, recording: col('recording')?.texts ?? new Array<string>(rows).fill('') }
}

export function parseResultsCsv(name: string, text: string): ResultsDataset {
  const records = csvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text)
  if (records.length === 0) throw new ResultsError('it is empty')
  const [header, ...rows] = records
  return fromCells(name, header!, rows, (i) => `line ${i + 2}`)
}

export async function parseResultsParquet(name: string, bytes: Uint8Array): Promise<ResultsDataset> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  let header: string[]
  let objects: Record<string, unknown>[]
  try {
    const metadata = parquetMetadata(file)
    // The schema's first element is the root; the columns of a flat table follow it.
    header = metadata.schema.slice(1).map((s) => s.name)
    objects = await parquetReadObjects({ file, metadata })
  } catch (error) {
    throw new ResultsError(`it cannot be read as Parquet: ${error instanceof Error ? error.message : String(error)}`)
  }
  const cells = objects.map((o) =>
    header.map((h) => {
      const v = o[h]
      if (v === null || v === undefined) return null
      if (typeof v === 'number') return v
      if (typeof v === 'bigint') return Number(v)
      return String(v)
    })
  )
  return fromCells(name, header, cells, (i) => `row ${i + 1}`)
}

/** A file as the console got it (picked, dropped, or read by the desktop app): Parquet by its magic, else CSV text. */
export async function parseResultsFile(name: string, bytes: Uint8Array): Promise<ResultsDataset> {
  const refuse = (why: string): never => {
    throw new ResultsError(`${name} is not a results table: ${why}`)
  }
  if (bytes.byteLength > MAX_RESULTS_BYTES) refuse(`it is ${bytes.byteLength} bytes; a results table may be at most ${MAX_RESULTS_BYTES} bytes`)
  const magic = bytes.byteLength >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'PAR1'
  try {
    if (magic) return await parseResultsParquet(name, bytes)
    if (/\.parquet$/i.test(name)) refuse('it has the name of a Parquet file but not its PAR1 magic')
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return refuse('it is neither Parquet nor UTF-8 text (CSV)')
    }
    return parseResultsCsv(name, text)
  } catch (error) {
    if (error instanceof ResultsError && !error.message.startsWith(`${name} is not`)) refuse(error.message)
    throw error
  }
}

/** The numeric columns a scatter or histogram can use: parameters and metrics first, then the bookkeeping ones. */
export function numericColumns(d: ResultsDataset): string[] {
  const numeric = d.columns.filter((c) => c.kind === 'number').map((c) => c.name)
  return [...numeric.filter((n) => !BOOKKEEPING.has(n)), ...numeric.filter((n) => BOOKKEEPING.has(n) && n !== 'index'), 'index']
}
