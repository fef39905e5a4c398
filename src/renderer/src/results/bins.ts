// A histogram's bins: equal-width over the finite values of a column (empty cells and NaN are left out).

export interface Bins {
  /** Left edge of each bin, and the right edge of the last after them (edges.length = counts.length + 1). */
  edges: Float64Array
  counts: Float64Array
  /** Values left out: not finite (no value, NaN, infinite). */
  skipped: number
}

/** Sturges' rule, capped: enough bins to see a shape, not so many that 10,000 runs look like noise. */
export function binCount(n: number): number {
  return Math.max(1, Math.min(60, Math.ceil(Math.log2(Math.max(1, n)) + 1)))
}

export function histogram(values: Float64Array, bins = binCount(values.length)): Bins {
  let min = Infinity
  let max = -Infinity
  let finite = 0
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    finite++
    if (v < min) min = v
    if (v > max) max = v
  }
  if (finite === 0) return { edges: new Float64Array([0, 1]), counts: new Float64Array(1), skipped: values.length }
  const n = min === max ? 1 : bins
  const width = min === max ? 1 : (max - min) / n
  const lo = min === max ? min - 0.5 : min
  const edges = Float64Array.from({ length: n + 1 }, (_, i) => lo + i * width)
  const counts = new Float64Array(n)
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    // The largest value belongs to the last bin (its right edge is inclusive).
    counts[Math.min(n - 1, Math.floor((v - lo) / width))]!++
  }
  return { edges, counts, skipped: values.length - finite }
}
