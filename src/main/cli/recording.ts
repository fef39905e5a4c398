// The CLI's recording side: where `hermes run` records (--record, --no-record, the recording: section),
// the runs folder's retention while it runs, and `hermes inspect` / `hermes export` for recordings.
import { statSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import type { ResolvedConfig } from '../engine/config/types'
import { keepRetention as keepFolderRetention, planRecording as planFor, type RecordingPlan } from '../engine/recording/plan'
import type { RecordingReader } from '../engine/recording/reader'
import { EXPORT_FORMATS, type ExportFormat } from '../engine/recording/exportFormats'
import { compact, table } from './format'

export type { RecordingPlan }

/** The runs folder of `hermes run --serve` when neither the YAML nor --record names one. */
export const DEFAULT_RUNS_FOLDER = 'runs'

/**
 * `record`: the --record file or folder, false for --no-record, undefined for neither. Without either,
 * the YAML's recording.enabled decides, and when it is not set, a served run records (into ./runs).
 * The desktop app plans with the same function (src/main/app/engineHost.ts), into its own folder.
 */
export function planRecording(config: ResolvedConfig, record: string | false | undefined, cwd = process.cwd()): RecordingPlan | null {
  return planFor(config, { record, folder: DEFAULT_RUNS_FOLDER, served: config.server.enabled }, cwd)
}

/** Retention now and every 30 s while the run records; returns the timer to clear. Prints what it deletes. */
export function keepRetention(plan: RecordingPlan, say: (line: string) => void): NodeJS.Timeout | null {
  return keepFolderRetention(plan, (line) => say(`hermes: ${line}`))
}

const seconds = (ns: number): string => `${(ns / 1e9).toFixed(3)} s`

async function inspect(file: string, opts: { json: boolean }): Promise<void> {
  const reader = await openOrExit(file)
  try {
    let frames = 0
    let segments = 0
    let first = Infinity
    let last = -Infinity
    for await (const b of reader.batches()) {
      frames += b.frames.length
      segments = Math.max(segments, b.segment + 1)
      if (b.timesNs.length > 0) {
        first = Math.min(first, b.timesNs[0]!)
        last = Math.max(last, b.timesNs[b.timesNs.length - 1]!)
      }
    }
    const events = await reader.events()
    const counts = new Map<string, number>()
    for (const e of events) {
      const key = e.kind === 'command' ? `command ${e.action}` : e.kind === 'state' ? `state ${e.state}` : e.kind
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const info = reader.info
    const summary = {
      file: reader.file,
      bytes: reader.bytes,
      complete: reader.complete,
      runId: info.runId,
      config: info.configFile,
      startedAt: info.startedAt,
      rateHz: info.rateHz,
      frames,
      segments,
      durationS: frames > 0 ? (last - first) / 1e9 : 0,
      signals: reader.signals,
      events: Object.fromEntries(counts)
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...summary, eventList: events }, null, 2)}\n`)
      return
    }
    const out = [
      `${reader.file}: ${compact(reader.bytes)}B, ${reader.complete ? 'closed with its index' : 'not closed (the recorder was stopped abruptly): read by scanning'}`,
      `run ${info.runId} of ${info.configFile || '(config in memory)'}, started ${info.startedAt}, ${info.rateHz} Hz`,
      `${frames} frames in ${segments} segment${segments === 1 ? '' : 's'} (a reset starts one), ${frames > 0 ? `${seconds(first)} to ${seconds(last)}` : 'no frames'}`,
      '',
      table(['SIGNAL', 'UNIT', 'TYPE'], reader.signals.map((s) => [s.name, s.unit || '-', s.type])),
      '',
      events.length === 0 ? 'no commands or events' : table(['FRAME', 'TIME', 'EVENT'], events.map((e) => [String(e.frame), seconds(e.timeNs), describeEvent(e)]))
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    reader.close()
  }
}

function describeEvent(e: Awaited<ReturnType<RecordingReader['events']>>[number]): string {
  switch (e.kind) {
    case 'command':
      return `${e.action}${e.signal !== undefined ? ` ${e.signal} = ${e.value}` : ''}${e.count !== undefined ? ` ${e.count}` : ''} by ${e.client}`
    case 'state':
      return `${e.state} (${e.reason})`
    case 'fault':
      return `fault in ${e.module}: ${e.message} (${e.action})`
    case 'note':
      return `note by ${e.client}: ${e.text}`
  }
}

async function openOrExit(file: string): Promise<RecordingReader> {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file')
    // The reader (MCAP, zstd) loads only for inspect and export: `hermes run` records in its own thread.
    const { RecordingReader } = await import('../engine/recording/reader')
    return await RecordingReader.open(file)
  } catch (error) {
    process.stderr.write(`hermes: cannot read recording ${file}: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}

interface ExportOptions {
  format: ExportFormat
  signals?: string[]
  from?: number
  to?: number
  output?: string
}

async function exportCommand(file: string, opts: ExportOptions): Promise<void> {
  const reader = await openOrExit(file)
  try {
    const output = opts.output ?? file.replace(/\.mcap$/i, '') + `.${opts.format}`
    const { exportRecording } = await import('../engine/recording/export')
    const result = await exportRecording(reader, { format: opts.format, output, signals: opts.signals, fromS: opts.from, toS: opts.to })
    process.stderr.write(`hermes: exported ${result.rows} frames x ${result.columns} signals to ${output === '-' ? 'stdout' : output}\n`)
  } catch (error) {
    process.stderr.write(`hermes: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  } finally {
    reader.close()
  }
}

const secondsArg = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} expects seconds >= 0, got '${value}'`)
  return n
}

export function addRecordingCommands(program: Command): void {
  program
    .command('inspect')
    .description('what a recording holds: signals, duration, frames, commands and events, size')
    .argument('<recording>', 'a .mcap recording')
    .option('--json', 'print JSON instead of text', false)
    .action(inspect)
  program
    .command('export')
    .description('write a recording (or part of it) as CSV or Parquet: a time column and one column per signal')
    .argument('<recording>', 'a .mcap recording')
    .requiredOption('--format <format>', `output format: ${EXPORT_FORMATS.join(' or ')}`, (v: string) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--format expects ${EXPORT_FORMATS.join(' or ')}, got '${v}'`)
      return v
    })
    .option('--signals <patterns...>', "signals to export ('*', 'module.*', exact names); default all")
    .option('--from <seconds>', 'first simulated second', secondsArg('--from'))
    .option('--to <seconds>', 'last simulated second', secondsArg('--to'))
    .option('-o, --output <file>', "where to write ('-' for stdout, CSV only); default the recording's name with the format's extension")
    .action(exportCommand)
}
