// Closed time intervals [from, to] in simulated seconds, kept sorted and disjoint: what a signal lacks,
// and what has been asked of the server already.

export type Interval = readonly [number, number]

/** The union of `intervals`, sorted, with those closer than `joinGap` joined. */
export function normalize(intervals: readonly Interval[], joinGap = 0): Interval[] {
  const sorted = intervals.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0])
  const out: [number, number][] = []
  for (const [a, b] of sorted) {
    const last = out[out.length - 1]
    if (last && a - last[1] <= joinGap) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

/** The parts of `from` not in `remove` (both sorted and disjoint); pieces shorter than `minSpan` are dropped. */
export function subtract(from: readonly Interval[], remove: readonly Interval[], minSpan = 0): Interval[] {
  const out: Interval[] = []
  for (const [a0, b] of from) {
    let a = a0
    for (const [ra, rb] of remove) {
      if (rb < a || ra > b) continue
      if (ra > a && ra - a > minSpan) out.push([a, ra])
      a = Math.max(a, rb)
      if (a >= b) break
    }
    if (b - a > minSpan) out.push([a, b])
  }
  return out
}

/** Adds one interval to a normalized list. */
export function add(list: readonly Interval[], interval: Interval): Interval[] {
  return normalize([...list, interval])
}
