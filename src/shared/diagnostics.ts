// The console's diagnostics handle on window (set by src/renderer/src/diagnostics.ts), typed once here
// because benchmarks and e2e checks read it from outside the renderer.

export interface ConsoleDiagnostics {
  telemetry: { history: { signals: readonly string[]; capacity: number; length: number }; append(time: number, values: ArrayLike<number>): void }
  frameIntervals: Float64Array
  drawTimes: Float64Array
  frameCount(): number
  /** Workspace storage writes so far. */
  storageWrites(): number
  /** Whether a workspace write is waiting for its debounce. */
  storageWritePending(): boolean
  /** Per plot panel: frames whose series were drawn whole, and frames that moved what was drawn. */
  plotDrawing(): Array<{ panel: string; full: number; shifted: number }>
  /** Pixel columns of a plot's series whose ink differs from drawing its last frame whole (0: moving is right). */
  plotRedrawDiff(panel: string): number
}

declare global {
  interface Window {
    hermesConsole?: ConsoleDiagnostics
  }
}
