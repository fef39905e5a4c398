// A diagnostics handle on window for benchmarks and debugging: the telemetry history, frame timings and
// workspace writes. Its type is shared (src/shared/diagnostics.ts) with the benchmarks and e2e checks.
import type { ConsoleDiagnostics } from '../../shared/diagnostics'
import { drawTimes, frameCount, frameIntervals } from './telemetry/animation'
import { telemetry } from './telemetry/telemetry'
import { persistenceStats } from './workspace/persistence'

export function exposeDiagnostics(): void {
  const diagnostics: ConsoleDiagnostics = {
    telemetry,
    frameIntervals,
    drawTimes,
    frameCount: () => frameCount,
    storageWrites: () => persistenceStats.writes,
    storageWritePending: () => persistenceStats.pending
  }
  window.hermesConsole = diagnostics
}
