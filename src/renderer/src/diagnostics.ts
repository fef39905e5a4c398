// A diagnostics handle on window for benchmarks and debugging: the telemetry history, frame timings,
// workspace writes and how plots drew. Its type is shared (src/shared/diagnostics.ts) with the benchmarks and e2e checks.
import type { ConsoleDiagnostics } from '../../shared/diagnostics'
import { plotStrips } from './panels/plot/stripSeries'
import { heldRange, findHoles, holeSpan } from './history/holes'
import { historyLoader } from './history/loader'
import { zoomLoader } from './history/zoom'
import { useConsole } from './store/store'
import { drawTimes, frameCount, frameIntervals } from './telemetry/animation'
import { telemetry } from './telemetry/telemetry'
import { persistenceStats } from './workspace/persistence'

export function exposeDiagnostics(): void {
  const diagnostics: ConsoleDiagnostics = {
    history: {
      heldRange: (signal) => {
        const h = telemetry.history
        const r = heldRange(h, h.indexOf(signal))
        return r ? [r[0], r[1]] : null
      },
      gaps: (signal, minGapS) => {
        const h = telemetry.history
        const column = h.indexOf(signal)
        const r = heldRange(h, column)
        if (!r) return []
        return findHoles(h, column, r[0], r[1], minGapS ?? holeSpan(useConsole.getState().quality.telemetryHz)).map(([a, b]) => [a, b])
      },
      stats: () => ({ ...historyLoader.stats, zoomRequests: zoomLoader.stats.requests, zoomLoads: zoomLoader.stats.loads }),
      zoom: () => {
        const d = zoomLoader.data
        return d ? { from: d.from, to: d.to, mode: d.mode, length: d.history.length, signals: d.history.signals } : null
      }
    },
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
