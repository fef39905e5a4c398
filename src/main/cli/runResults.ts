// `hermes run --results FILE [--metric ...]`: the run's summary and chosen metrics as JSON.
import { formatPath, type ConfigPath } from '../engine/config/issues'
import type { ConfigSet } from '../engine/config/override'
import type { ResolvedConfig } from '../engine/config/types'
import type { RunSummary } from '../engine/session'
import { writeFileAtomic, toJson } from '../sweep/atomic'
import { compileMetrics, MetricError, type MetricSpec } from '../sweep/metrics'
import type { RunOutcome } from '../sweep/meteredLoop'
import { Runner } from '../sweep/runner'
import { signalSlots } from '../sweep/signals'

export interface RunResults {
  file: string
  sets: Record<string, unknown>
  status: 'ok' | 'failed' | 'stopped'
  error: string
  summary: RunSummary
  metrics: Record<string, number | null>
}

export function setsRecord(sets: readonly ConfigSet[]): Record<string, unknown> {
  return Object.fromEntries(sets.map((s) => [formatPath(s.path as ConfigPath), s.value]))
}

/** Written whole (a temporary file, then a rename): a reader never sees half of it. */
export function writeRunResults(file: string, results: RunResults): void {
  writeFileAtomic(file, `${toJson(results)}\n`)
}

/**
 * The run with metrics: every frame's values watched on a runner thread (what sweeps run), without a
 * server. Throws MetricError for a metric whose signal the configuration does not have.
 */
export async function runWithMetrics(config: ResolvedConfig, specs: readonly MetricSpec[]): Promise<{ outcome: RunOutcome; summary: RunSummary }> {
  const slots = signalSlots(config)
  const compiled = compileMetrics(specs, (name) => slots.get(name))
  const runner = new Runner()
  const started = performance.now()
  try {
    const outcome = await runner.run(config, compiled)
    const wallSeconds = (performance.now() - started) / 1000
    const summary: RunSummary = {
      frames: outcome.frames,
      simulatedSeconds: outcome.simulatedSeconds,
      wallSeconds,
      framesPerSecond: wallSeconds > 0 ? outcome.frames / wallSeconds : 0,
      realtimeFactor: wallSeconds > 0 ? outcome.simulatedSeconds / wallSeconds : 0
    }
    return { outcome, summary }
  } finally {
    await runner.close()
  }
}

export { MetricError }
