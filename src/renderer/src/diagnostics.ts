// A diagnostics handle on window for benchmarks and debugging: the telemetry history, frame timings,
// workspace writes and how plots drew. Its type is shared (src/shared/diagnostics.ts) with the benchmarks and e2e checks.
import type { ConsoleDiagnostics } from '../../shared/diagnostics'
import { plotStrips } from './panels/plot/stripSeries'
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
    storageWritePending: () => persistenceStats.pending,
    plotDrawing: () => [...plotStrips].map(([panel, strip]) => ({ panel, ...strip.counts })),
    plotRedrawDiff: (panel) => plotStrips.get(panel)?.wholeRedrawDiff() ?? -1
  }
  window.hermesConsole = diagnostics
}
