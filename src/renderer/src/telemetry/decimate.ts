// What a plot draws of a time window: every sample when they fit, else per pixel column the first and
// last time with the extreme values in the order they occurred, so spikes keep their shape.
import type { History } from './history'

export interface SeriesStats {
  min: number
  max: number
  mean: number
  count: number
}

/** Preallocated output for one plot: reused every frame, so drawing does not allocate per sample. */
export class WindowBuffers {
  readonly x: Float64Array
  readonly ys: Float64Array[]
  length = 0
  /** Whether the samples were too many and are per pixel column (min and max), or are all there. */
  decimated = false

  constructor(
    readonly buckets: number,
    series: number
  ) {
    const size = 2 * buckets + 4
    this.x = new Float64Array(size)
    this.ys = Array.from({ length: series }, () => new Float64Array(size))
  }
}

/**
 * Fills `out` with the samples of `columns` (history column indices, -1 for a signal not in the
 * history) between tMin and tMax, plus one sample on each side so lines run to the edges.
 */
export function decimateWindow(history: History, columns: readonly number[], tMin: number, tMax: number, out: WindowBuffers): void {
  const inside0 = history.lowerBound(tMin)
  const inside1 = history.upperBound(tMax)
  const first = Math.max(0, inside0 - 1)
  const last = Math.min(history.length, inside1 + 1)
  const n = last - first
  if (n <= 2 * out.buckets) {
    for (let k = 0; k < n; k++) out.x[k] = history.timeAt(first + k)
    columns.forEach((c, s) => {
      const y = out.ys[s]!
      for (let k = 0; k < n; k++) y[k] = c >= 0 ? history.valueAt(c, first + k) : NaN
    })
    out.length = n
    out.decimated = false
    return
  }
  out.decimated = true
  const width = (tMax - tMin) / out.buckets
  // A sample exactly on a column's edge goes to the same column whichever window it is seen in (a
  // sliding window's edges carry rounding): what a plot drew of it stays right when it is moved.
  const bucketOf = (t: number): number => Math.floor((t - tMin) / width + 1e-7)
  let written = 0
  let k = first
  while (k < last) {
    // One bucket: the samples falling in the same pixel column (the edge samples get their own).
    const t0 = history.timeAt(k)
    const bucket = bucketOf(t0)
    let end = k + 1
    while (end < last && bucketOf(history.timeAt(end)) === bucket) end++
    out.x[written] = t0
    out.x[written + 1] = history.timeAt(end - 1)
    columns.forEach((c, s) => {
      const y = out.ys[s]!
      if (c < 0) {
        y[written] = NaN
        y[written + 1] = NaN
        return
      }
      let lo = Infinity
      let hi = -Infinity
      let loAt = k
      let hiAt = k
      for (let j = k; j < end; j++) {
        const v = history.valueAt(c, j)
        if (v < lo) {
          lo = v
          loAt = j
        }
        if (v > hi) {
          hi = v
          hiAt = j
        }
      }
      if (lo === Infinity) {
        // Every sample was NaN: keep the gap.
        y[written] = NaN
        y[written + 1] = NaN
      } else {
        y[written] = loAt <= hiAt ? lo : hi
        y[written + 1] = loAt <= hiAt ? hi : lo
      }
    })
    written += 2
    k = end
  }
  out.length = written
}

/** Min, max and mean of one history column over samples [from, to), NaN samples left out. */
export function seriesStats(history: History, column: number, from: number, to: number, into: SeriesStats = { min: NaN, max: NaN, mean: NaN, count: 0 }): SeriesStats {
  let min = Infinity
  let max = -Infinity
  let sum = 0
  let count = 0
  if (column >= 0) {
    for (let k = from; k < to; k++) {
      const v = history.valueAt(column, k)
      if (Number.isNaN(v)) continue
      if (v < min) min = v
      if (v > max) max = v
      sum += v
      count++
    }
  }
  into.min = count > 0 ? min : NaN
  into.max = count > 0 ? max : NaN
  into.mean = count > 0 ? sum / count : NaN
  into.count = count
  return into
}
