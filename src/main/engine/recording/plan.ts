// Whether and where a run records, and the runs folder's retention while it does: one planning for
// `hermes run` (./runs) and the desktop app (its data folder), so both decide the same way.
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ResolvedConfig } from '../config/types'
import type { RecordingOptions } from './recorder'
import { enforceRetention, recordingTarget } from './runsFolder'

/** How often retention looks at the runs folder again while a run records (its own file grows). */
const RETENTION_EVERY_MS = 30_000

export interface RecordingPlan {
  options: RecordingOptions
  /** The runs folder the file is in, or null for a named file (no retention then). */
  folder: string | null
  /** Retention limit of `folder`; Infinity keeps everything. */
  maxTotalBytes: number
}

/** What the caller decides beside the YAML's `recording:` section. */
export interface RecordingChoice {
  /** A file or folder to record into (--record); false: not recorded (--no-record, the app's Record Runs off); undefined: neither. */
  record?: string | false
  /** Where a run records when neither `record` nor the YAML names a path: ./runs, the app's runs folder. */
  folder: string
  /** Whether the run is served: when nothing else decides (`record` and the YAML's `enabled` unset), a served run records. */
  served: boolean
  /** The caller's retention limit for `folder` (the app's setting; Infinity keeps everything). Default, and for a folder the YAML names: its `max_total_mb`. */
  maxTotalBytes?: number
}

/**
 * The run's recording, or null when it is not recorded. `choice.record` wins (a file or folder, or
 * false); then the YAML's `recording.enabled` and `recording.path`; then a served run records into
 * `choice.folder`. Throws when the file to write exists already, or the folder cannot be made.
 */
export function planRecording(config: ResolvedConfig, choice: RecordingChoice, cwd = process.cwd()): RecordingPlan | null {
  const r = config.recording
  const { record } = choice
  const enabled = record === false ? false : typeof record === 'string' ? true : (r.enabled ?? choice.served)
  if (!enabled) return null
  const defaultFolder = resolve(cwd, choice.folder)
  const path = typeof record === 'string' ? resolve(cwd, record) : (r.path ?? defaultFolder)
  const runId = randomUUID()
  const { file, folder } = recordingTarget(path, config.file, runId)
  if (existsSync(file)) throw new Error(`${file} exists already: a recording never overwrites one; name another file, or a folder`)
  // The caller's limit is for its own runs folder; a folder the YAML (or --record) names keeps the YAML's.
  const maxTotalBytes = choice.maxTotalBytes !== undefined && folder === defaultFolder ? choice.maxTotalBytes : r.maxTotalBytes
  return { options: { file, signals: r.signals, compression: r.compression, runId }, folder, maxTotalBytes }
}

/** How a retention limit reads in a message: 2.00 GB, 512 MB. */
export function formatLimit(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited'
  const gb = bytes / 1024 ** 3
  return gb >= 1 ? `${Number(gb.toFixed(2))} GB` : `${Number((bytes / 1024 ** 2).toFixed(1))} MB`
}

/** One retention pass over the plan's folder; `say` hears what it deleted and what it could not clean. */
export function retentionPass(plan: RecordingPlan, say: (line: string) => void): void {
  const folder = plan.folder
  if (!folder || !Number.isFinite(plan.maxTotalBytes)) return
  try {
    for (const f of enforceRetention(folder, plan.maxTotalBytes, plan.options.file).deleted) say(`retention: deleted ${f} (runs folder over ${formatLimit(plan.maxTotalBytes)})`)
  } catch (error) {
    say(`retention: cannot clean ${folder}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Retention now and every RETENTION_EVERY_MS while the run records; returns the timer to clear (null: nothing to keep). */
export function keepRetention(plan: RecordingPlan, say: (line: string) => void): NodeJS.Timeout | null {
  if (!plan.folder || !Number.isFinite(plan.maxTotalBytes)) return null
  retentionPass(plan, say)
  const timer = setInterval(() => retentionPass(plan, say), RETENTION_EVERY_MS)
  timer.unref()
  return timer
}
