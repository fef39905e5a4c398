// A diagnostics handle on window for benchmarks and debugging: the telemetry history and frame timings.
import { drawTimes, frameCount, frameIntervals } from './telemetry/animation'
import { telemetry } from './telemetry/telemetry'
import { persistenceStats } from './workspace/persistence'

export interface ConsoleDiagnostics {
  telemetry: typeof telemetry
  frameIntervals: Float64Array
  drawTimes: Float64Array
  frameCount(): number
  /** Workspace storage writes so far. */
  storageWrites(): number
}

declare global {
  interface Window {
    hermesConsole?: ConsoleDiagnostics
  }
}

export function exposeDiagnostics(): void {
  window.hermesConsole = { telemetry, frameIntervals, drawTimes, frameCount: () => frameCount, storageWrites: () => persistenceStats.writes }
}
