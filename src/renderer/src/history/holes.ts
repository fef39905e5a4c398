// Where a held signal has no data: runs of missing values and gaps in time longer than a few telemetry
// periods (a console opened late, a link cut, a signal plotted late). What history fetches fill.
import type { History } from '../telemetry/history'
import type { Interval } from './intervals'

/** The longest spacing of held samples that is not a hole: a few telemetry periods, so skipped frames are not. */
export function holeSpan(telemetryHz: number): number {
  return 2.5 / Math.max(1, telemetryHz)
}

/**
 * The intervals of [from, to] where `column` holds no number, counting a spacing of more than `holeS`
 * between held numbers (or between an end of the range and the nearest number) as a hole.
 */
export function findHoles(history: History, column: number, from: number, to: number, holeS: number): Interval[] {
  if (!(to >= from)) return []
  if (column < 0) return to - from > holeS ? [[from, to]] : []
  const out: Interval[] = []
  // A number just before the range counts, so a range starting between two samples is not a hole.
  let start = history.lowerBound(from)
  if (start > 0) start--
  const end = Math.min(history.length, history.upperBound(to) + 1)
  let prev = from
  for (let k = start; k < end; k++) {
    if (Number.isNaN(history.valueAt(column, k))) continue
    const t = history.timeAt(k)
    if (t - prev > holeS && t > from) out.push([prev, Math.min(t, to)])
    prev = Math.max(prev, t)
  }
  if (to - prev > holeS) out.push([prev, to])
  return out
}

/** The span of time a column holds numbers over, or null when it holds none. */
export function heldRange(history: History, column: number): Interval | null {
  if (column < 0) return null
  let first = -1
  for (let k = 0; k < history.length; k++) {
    if (!Number.isNaN(history.valueAt(column, k))) {
      first = k
      break
    }
  }
  if (first < 0) return null
  let last = history.length - 1
  while (last > first && Number.isNaN(history.valueAt(column, last))) last--
  return [history.timeAt(first), history.timeAt(last)]
}
