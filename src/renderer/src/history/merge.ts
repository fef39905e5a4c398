// Merging a `history` reply into the held telemetry: its rows go where the history has none (a hole in
// time) and its values where a signal has none (plotted late); a frame the history holds is never added
// twice, and times stay in order. Pure over History, so the rules are tested without a server.
import type { HistoryMessage } from '../../../shared/protocol/messages'
import { History } from '../telemetry/history'

/** A reply as rows in time order: one time column and one value column per signal (NaN: no value). */
export interface FetchedRows {
  times: Float64Array
  values: Map<string, Float64Array>
}

/**
 * A reply's rows. `full`: its samples. `minmax`: two rows a bucket that holds frames, the minimum at the
 * bucket's start and the maximum half a bucket on, so a line through them draws the envelope and a
 * one-frame spike survives.
 */
export function rowsOf(reply: HistoryMessage): FetchedRows {
  const n = reply.time.length
  if (reply.mode === 'full') {
    const values = new Map<string, Float64Array>()
    for (const s of reply.signals) values.set(s, Float64Array.from(reply.values?.[s] ?? [], (v) => (typeof v === 'number' ? v : NaN)))
    return { times: Float64Array.from(reply.time), values }
  }
  const width = n > 0 ? (reply.to - reply.from) / n : 0
  const keep: number[] = []
  for (let i = 0; i < n; i++) if (reply.signals.some((s) => reply.min?.[s]?.[i] != null)) keep.push(i)
  const times = new Float64Array(keep.length * 2)
  keep.forEach((i, r) => {
    const t = reply.time[i]!
    const next = i + 1 < n ? reply.time[i + 1]! : t + width
    times[2 * r] = t
    times[2 * r + 1] = t + Math.min(width, next - t) / 2
  })
  const values = new Map<string, Float64Array>()
  for (const s of reply.signals) {
    const lo = reply.min?.[s] ?? []
    const hi = reply.max?.[s] ?? []
    const column = new Float64Array(keep.length * 2)
    keep.forEach((i, r) => {
      column[2 * r] = lo[i] ?? NaN
      column[2 * r + 1] = hi[i] ?? NaN
    })
    values.set(s, column)
  }
  return { times, values }
}

export interface MergeOptions {
  /** The spacing of held samples beyond which the history lacks data (holes.ts holeSpan). */
  holeS: number
  /** Rows newer than this are left out: live frames bring them (a later live frame must stay the newest). */
  newest?: number
  /** Computes a row's derived columns in place from its signals (frames/pipeline.ts). */
  derive?: (row: Float64Array) => void
}

export interface MergeResult {
  /** The same history when only values were filled in, else a new one (the caller replaces it). */
  history: History
  inserted: number
  filled: number
}

/** Same time within this: the same frame (times come from the same recorded frame clock). */
const SAME_S = 1e-9

/** The index of the row of `times` nearest to t. */
function nearest(times: Float64Array, t: number): number {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! < t) lo = mid + 1
    else hi = mid
  }
  if (lo >= times.length) return times.length - 1
  if (lo > 0 && t - times[lo - 1]! <= times[lo]! - t) return lo - 1
  return lo
}

export function mergeRows(history: History, rows: FetchedRows, options: MergeOptions): MergeResult {
  const n = rows.times.length
  if (n === 0) return { history, inserted: 0, filled: 0 }
  const fetched = [...rows.values.entries()].map(([name, values]) => ({ column: history.indexOf(name), values })).filter((f) => f.column >= 0)
  if (fetched.length === 0) return { history, inserted: 0, filled: 0 }
  const first = rows.times[0]!
  const last = rows.times[n - 1]!
  const spacing = n > 1 ? (last - first) / (n - 1) : options.holeS
  const tolerance = Math.max(options.holeS / 2, spacing)
  const width = history.signals.length
  const row = new Float64Array(width)

  // Held rows without a value for a fetched signal take the nearest fetched one.
  let filled = 0
  const k0 = history.lowerBound(first - tolerance)
  const k1 = history.upperBound(last + tolerance)
  for (let k = k0; k < k1; k++) {
    const t = history.timeAt(k)
    let changed = false
    for (const f of fetched) {
      if (!Number.isNaN(history.valueAt(f.column, k))) continue
      const j = nearest(rows.times, t)
      const v = f.values[j]!
      if (Math.abs(rows.times[j]! - t) > tolerance || Number.isNaN(v)) continue
      history.setValueAt(f.column, k, v)
      changed = true
      filled++
    }
    if (changed && options.derive) {
      for (let c = 0; c < width; c++) row[c] = history.valueAt(c, k)
      options.derive(row)
      for (let c = 0; c < width; c++) history.setValueAt(c, k, row[c]!)
    }
  }

  // Fetched rows in a hole of the held times are added; a row at a held time is that frame already.
  const insert: number[] = []
  const newest = options.newest ?? Infinity
  for (let j = 0; j < n; j++) {
    const t = rows.times[j]!
    if (t > newest) break
    const i = history.lowerBound(t)
    const next = i < history.length ? history.timeAt(i) : Infinity
    const prev = i > 0 ? history.timeAt(i - 1) : -Infinity
    if (next - t <= SAME_S || t - prev <= SAME_S) continue
    if (next - prev > options.holeS) insert.push(j)
  }
  if (insert.length === 0) return { history, inserted: 0, filled }

  // Rebuilt in time order; past the capacity the oldest fall out, as in live running.
  const next = new History(history.signals, history.capacity)
  let k = 0
  const put = (j: number): void => {
    row.fill(NaN)
    for (const f of fetched) row[f.column] = f.values[j]!
    options.derive?.(row)
    next.append(rows.times[j]!, row)
  }
  for (const j of insert) {
    const t = rows.times[j]!
    while (k < history.length && history.timeAt(k) < t) {
      for (let c = 0; c < width; c++) row[c] = history.valueAt(c, k)
      next.append(history.timeAt(k), row)
      k++
    }
    put(j)
  }
  for (; k < history.length; k++) {
    for (let c = 0; c < width; c++) row[c] = history.valueAt(c, k)
    next.append(history.timeAt(k), row)
  }
  next.version = history.version + 1
  return { history: next, inserted: insert.length, filled }
}
