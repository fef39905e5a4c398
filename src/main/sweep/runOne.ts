// One run of a sweep by its index, start to row: the run-one contract that the local pool, Slurm and
// Kubernetes all follow, so that a result never depends on where it ran.
import { ConfigError, formatIssue } from '../engine/config/issues'
import { parseYamlText } from '../engine/config/load'
import type { SourcePositions } from '../engine/config/positions'
import { parseConfigWithModules } from '../engine/config/withModules'
import { compileMetrics, MetricError } from './metrics'
import { runParameters, runSets } from './plan'
import { RecordingFiles, type ResultRow } from './results'
import { Runner } from './runner'
import { signalSlots } from './signals'
import type { Sweep } from './sweepFile'

/** Longest error text kept in a row: enough for a module's message, not a whole traceback. */
const MAX_ERROR_CHARS = 2000

const bounded = (text: string): string => (text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text)

export class SweepRunner {
  private readonly runner = new Runner()
  /** The base configuration parsed once: each run copies it and applies its own sets. */
  private readonly parsed: { data: unknown; positions: SourcePositions }
  /** keep: recording: where the recordings go, or null. */
  private readonly recordings: RecordingFiles | null

  constructor(readonly sweep: Sweep) {
    const { data, positions } = parseYamlText(sweep.configText, sweep.configFile)
    this.parsed = { data, positions }
    this.recordings = sweep.keep === 'recording' ? new RecordingFiles(sweep.resultsDir) : null
  }

  /** Runs run `index` and returns its row; a run that cannot load or faults is a failed row, never a throw. */
  async run(index: number): Promise<ResultRow> {
    const sweep = this.sweep
    const started = performance.now()
    const parameters = runParameters(sweep, index)
    const row = (status: ResultRow['status'], error: string, metrics: (number | null)[], recording = ''): ResultRow => ({
      index,
      parameters,
      metrics,
      status,
      error: bounded(error),
      wallSeconds: (performance.now() - started) / 1000,
      ...(this.recordings ? { recording } : {})
    })
    const none = sweep.metrics.map(() => null)
    let config
    try {
      config = (
        await parseConfigWithModules(sweep.configText, sweep.configFile, {
          sets: runSets(sweep, index),
          parsed: this.parsed,
          overrides: {
            execution: { mode: sweep.mode, end_time: sweep.endTime ?? undefined, rate_hz: sweep.rateHz ?? undefined },
            server: { enabled: false }
          }
        })
      ).config
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      return row('failed', error.issues.map(formatIssue).join('\n'), none)
    }
    if (config.execution.endTime === null) return row('failed', 'the run has no end_time: give run.end_time in the sweep file', none)
    let compiled
    try {
      const slots = signalSlots(config)
      compiled = compileMetrics(sweep.metrics, (name) => slots.get(name))
    } catch (error) {
      if (!(error instanceof MetricError)) throw error
      return row('failed', error.message, none)
    }
    const partial = this.recordings?.partial(index) ?? null
    try {
      const outcome = await this.runner.run(config, compiled, partial)
      if (!this.recordings || !partial || !outcome.recording) return row(outcome.status, outcome.error, outcome.values)
      if (outcome.recording.failure !== null) {
        // Asked for and not kept whole: the run is failed (--retry-failed runs it again), its metrics stand.
        this.recordings.clearPartial(index)
        return row('failed', `${outcome.error ? `${outcome.error}; ` : ''}the recording failed: ${outcome.recording.failure}`, outcome.values)
      }
      return row(outcome.status, outcome.error, outcome.values, this.recordings.finish(partial, index))
    } catch (error) {
      this.recordings?.clearPartial(index)
      // The runner thread died (out of memory, a crash in a native module): this run failed, the next gets a new thread.
      return row('failed', `the run could not finish: ${error instanceof Error ? error.message : String(error)}`, none)
    }
  }

  close(): Promise<void> {
    return this.runner.close()
  }
}
