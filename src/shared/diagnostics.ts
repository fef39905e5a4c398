// The console's diagnostics handle on window (set by src/renderer/src/diagnostics.ts), typed once here
// because benchmarks and e2e checks read it from outside the renderer.

/** What the console holds of each signal and what it fetched (history/): for the e2e checks. */
export interface HistoryDiagnostics {
  /** The span of simulated time a signal holds numbers over, or null when it holds none. */
  heldRange(signal: string): [number, number] | null
  /** Holes in what a signal holds between its first and newest number, longer than `minGapS` (default: 2.5 telemetry periods). */
  gaps(signal: string, minGapS?: number): [number, number][]
  /** History requests and what they brought. */
  stats(): { requests: number; replies: number; inserted: number; filled: number; errors: number; zoomRequests: number; zoomLoads: number }
  /** The range a zoomed view loaded from the server, or null (live, or nothing loaded). */
  zoom(): { from: number; to: number; mode: 'full' | 'minmax'; length: number; signals: readonly string[] } | null
}

export interface ConsoleDiagnostics {
  history: HistoryDiagnostics
  telemetry: { history: { signals: readonly string[]; capacity: number; length: number }; append(time: number, values: ArrayLike<number>): void }
  frameIntervals: Float64Array
  drawTimes: Float64Array
  frameCount(): number
  /** Workspace storage writes so far. */
  storageWrites(): number
  /** Whether a workspace write is waiting for its debounce. */
  storageWritePending(): boolean
  /** Per plot panel: frames whose series were drawn whole, and frames that moved what was drawn. */
  plotDrawing(): Array<{ panel: string; full: number; shifted: number; chart: number }>
  /** Pixel columns of a plot's series whose ink differs from drawing its last frame whole (0: moving is right). */
  plotRedrawDiff(panel: string): number
}

declare global {
  interface Window {
    hermesConsole?: ConsoleDiagnostics
  }
}
