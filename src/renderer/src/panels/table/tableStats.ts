// Per-row numbers of the signal table from the history: latest value, min and max since reset, and the
// rate of change over the last half second. Updated incrementally from the samples new since last time.
import type { History } from '../../telemetry/history'

/** The rate of change is the slope over this much of the newest history, s. */
export const RATE_WINDOW_S = 0.5

export class TableStats {
  min: Float64Array
  max: Float64Array
  private lastTime = -Infinity

  constructor(readonly signals: readonly string[]) {
    this.min = new Float64Array(signals.length).fill(NaN)
    this.max = new Float64Array(signals.length).fill(NaN)
  }

  reset(): void {
    this.min.fill(NaN)
    this.max.fill(NaN)
    this.lastTime = -Infinity
  }

  /** Takes in the samples newer than the last call; time running backwards (a run reset) starts afresh. */
  update(history: History, columns: readonly number[]): void {
    if (history.length === 0) return
    if (history.lastTime < this.lastTime) this.reset()
    const from = this.lastTime === -Infinity ? 0 : history.upperBound(this.lastTime)
    // The newest sample may have been rewritten in place (a set while paused): take it in again.
    const start = Math.max(0, Math.min(from, history.length - 1))
    for (let r = 0; r < columns.length; r++) {
      const c = columns[r]!
      if (c < 0) continue
      let lo = this.min[r]!
      let hi = this.max[r]!
      for (let k = start; k < history.length; k++) {
        const v = history.valueAt(c, k)
        if (v !== v) continue
        if (!(v >= lo)) lo = v
        if (!(v <= hi)) hi = v
      }
      this.min[r] = lo
      this.max[r] = hi
    }
    this.lastTime = history.lastTime
  }
}

export function latest(history: History, column: number): number {
  return column >= 0 && history.length > 0 ? history.valueAt(column, history.length - 1) : NaN
}

/** Slope between the newest sample and the one RATE_WINDOW_S before it (per second), NaN without two. */
export function rateOf(history: History, column: number): number {
  if (column < 0 || history.length < 2) return NaN
  const last = history.length - 1
  const t1 = history.timeAt(last)
  const k0 = Math.min(last - 1, history.lowerBound(t1 - RATE_WINDOW_S))
  const t0 = history.timeAt(k0)
  return t1 > t0 ? (history.valueAt(column, last) - history.valueAt(column, k0)) / (t1 - t0) : NaN
}
