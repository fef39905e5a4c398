// What an XY panel draws: the samples of a trailing time window as (x, y) per trace, into buffers
// reused every frame, thinned to a bound with the newest sample always kept; and the view that fits them.
import type { History } from '../../telemetry/history'

/** Preallocated output for one XY panel (one shared time column, an x and a y column per trace). */
export class TrailBuffers {
  readonly t: Float64Array
  readonly xs: Float64Array[]
  readonly ys: Float64Array[]
  length = 0

  constructor(
    readonly maxPoints: number,
    readonly traces: number
  ) {
    this.t = new Float64Array(maxPoints)
    this.xs = Array.from({ length: traces }, () => new Float64Array(maxPoints))
    this.ys = Array.from({ length: traces }, () => new Float64Array(maxPoints))
  }
}

/** History indices [from, to) of the samples with tMin <= time <= tMax. */
export function trailRange(history: History, tMin: number, tMax: number): [number, number] {
  const from = history.lowerBound(tMin)
  return [from, Math.max(from, history.upperBound(tMax))]
}

/**
 * Fills `out` with the samples between tMin and tMax (inclusive) of each trace's columns (history column
 * indices, -1 when the signal is not in the history: NaN). More samples than the buffers hold are
 * thinned by a whole stride counted back from the newest, so the newest is always drawn.
 */
export function fillTrail(history: History, columns: readonly (readonly [number, number])[], tMin: number, tMax: number, out: TrailBuffers): void {
  const [from, to] = trailRange(history, tMin, tMax)
  const n = to - from
  const stride = n <= out.maxPoints ? 1 : Math.ceil(n / out.maxPoints)
  const count = n === 0 ? 0 : Math.floor((n - 1) / stride) + 1
  // Oldest first: sample j of the output is history index to - 1 - (count - 1 - j) * stride.
  const first = to - 1 - (count - 1) * stride
  for (let j = 0; j < count; j++) out.t[j] = history.timeAt(first + j * stride)
  for (let s = 0; s < out.traces; s++) {
    const [cx, cy] = columns[s] ?? [-1, -1]
    const x = out.xs[s]!
    const y = out.ys[s]!
    for (let j = 0; j < count; j++) {
      const k = first + j * stride
      x[j] = cx >= 0 ? history.valueAt(cx, k) : NaN
      y[j] = cy >= 0 ? history.valueAt(cy, k) : NaN
    }
  }
  out.length = count
}

export interface Bounds {
  xMin: number
  xMax: number
  yMin: number
  yMax: number
}

/** The extent of the finite points in the buffers, or null when there are none. */
export function trailBounds(out: TrailBuffers): Bounds | null {
  let xMin = Infinity
  let xMax = -Infinity
  let yMin = Infinity
  let yMax = -Infinity
  for (let s = 0; s < out.traces; s++) {
    const x = out.xs[s]!
    const y = out.ys[s]!
    for (let j = 0; j < out.length; j++) {
      const a = x[j]!
      const b = y[j]!
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue
      if (a < xMin) xMin = a
      if (a > xMax) xMax = a
      if (b < yMin) yMin = b
      if (b > yMax) yMax = b
    }
  }
  return xMin === Infinity ? null : { xMin, xMax, yMin, yMax }
}

/**
 * The view that shows `b` with a margin in a plot area of width x height pixels; with `equal`, one unit
 * spans as many pixels in x as in y (the shorter side is widened about its centre), so a circle is round.
 */
export function fitView(b: Bounds | null, width: number, height: number, equal: boolean): Bounds {
  const base = b ?? { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }
  const widen = (lo: number, hi: number): [number, number] => {
    const span = hi - lo
    // A point or a flat line gets a band around it, so it is visible.
    const pad = span > 1e-12 ? span * 0.05 : Math.max(Math.abs(hi), 1) * 0.05
    return [lo - pad, hi + pad]
  }
  let [xMin, xMax] = widen(base.xMin, base.xMax)
  let [yMin, yMax] = widen(base.yMin, base.yMax)
  if (equal && width > 0 && height > 0) {
    const perPx = Math.max((xMax - xMin) / width, (yMax - yMin) / height)
    const cx = (xMin + xMax) / 2
    const cy = (yMin + yMax) / 2
    ;[xMin, xMax] = [cx - (perPx * width) / 2, cx + (perPx * width) / 2]
    ;[yMin, yMax] = [cy - (perPx * height) / 2, cy + (perPx * height) / 2]
  }
  return { xMin, xMax, yMin, yMax }
}

/** Zooms a view by `factor` (below 1 zooms in) about the point (x, y). */
export function zoomView(v: Bounds, x: number, y: number, factor: number): Bounds {
  return { xMin: x - (x - v.xMin) * factor, xMax: x + (v.xMax - x) * factor, yMin: y - (y - v.yMin) * factor, yMax: y + (v.yMax - y) * factor }
}

export function panView(v: Bounds, dx: number, dy: number): Bounds {
  return { xMin: v.xMin + dx, xMax: v.xMax + dx, yMin: v.yMin + dy, yMax: v.yMax + dy }
}

/**
 * The sample nearest to a point of the plot area (CSS pixels from its top left, y down) within `radius`
 * pixels, as its index in the buffers, or -1. `view` is what the area of width x height shows.
 */
export function nearestSample(out: TrailBuffers, px: number, py: number, view: Bounds, width: number, height: number, radius: number): number {
  const sx = width / (view.xMax - view.xMin)
  const sy = height / (view.yMax - view.yMin)
  let best = -1
  let bestD = radius * radius
  for (let s = 0; s < out.traces; s++) {
    const x = out.xs[s]!
    const y = out.ys[s]!
    for (let j = 0; j < out.length; j++) {
      const dx = (x[j]! - view.xMin) * sx - px
      const dy = (view.yMax - y[j]!) * sy - py
      const d = dx * dx + dy * dy
      // NaN compares false: a missing sample is never the nearest.
      if (d <= bestD) {
        bestD = d
        best = j
      }
    }
  }
  return best
}

/** The index of the buffered sample nearest in time to t, or -1 when empty (times ascend). */
export function sampleAtTime(out: TrailBuffers, t: number): number {
  const n = out.length
  if (n === 0) return -1
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (out.t[mid]! < t) lo = mid + 1
    else hi = mid
  }
  if (lo >= n) return n - 1
  if (lo === 0) return 0
  return t - out.t[lo - 1]! <= out.t[lo]! - t ? lo - 1 : lo
}
