// The console's telemetry: the current History (replaced when the subscription changes) and what arrives.
import { History } from './history'
import { MAX_WINDOW_S } from '../store/store'

/** Room for the longest window at the telemetry rate, with a margin for rate jitter. */
export function capacityFor(telemetryHz: number): number {
  return Math.ceil(MAX_WINDOW_S * telemetryHz * 1.05) + 16
}

class Telemetry {
  history = new History([], 2)
  /** Bumped when `history` is replaced, so views rebuild their column maps. */
  generation = 0
  /**
   * Bumped when the held samples stop belonging to the run shown (a reset, another run): history fetched
   * for an earlier epoch is dropped when it arrives.
   */
  epoch = 0
  /** Time of the newest live frame received (NaN before the first): fetched rows never pass it. */
  liveTime = NaN

  /**
   * A new subscription: a new history for its signals, carrying over the samples of signals that were
   * already there, so adding a signal to a plot does not wipe the others.
   */
  resubscribe(signals: readonly string[], telemetryHz: number): void {
    const old = this.history
    const capacity = capacityFor(telemetryHz)
    if (old.capacity === capacity && old.signals.length === signals.length && old.signals.every((s, i) => s === signals[i])) return
    const next = new History(signals, capacity)
    const map = signals.map((s) => old.indexOf(s))
    const row = new Float64Array(signals.length)
    const from = Math.max(0, old.length - capacity)
    for (let k = from; k < old.length; k++) {
      for (let i = 0; i < map.length; i++) row[i] = map[i]! >= 0 ? old.valueAt(map[i]!, k) : NaN
      next.append(old.timeAt(k), row)
    }
    this.history = next
    this.generation++
  }

  /**
   * Appends a frame. The same time again (a paused run) updates the newest sample instead of filling the
   * history with copies; time running backwards means a reset, so older samples no longer belong.
   */
  append(time: number, values: ArrayLike<number>): void {
    const h = this.history
    this.liveTime = time
    if (h.length > 0) {
      const last = h.lastTime
      if (time === last) return h.replaceLast(values)
      if (time < last) {
        h.clear()
        this.epoch++
      }
    }
    h.append(time, values)
  }

  /** Puts a history with fetched samples merged in (history/merge.ts) in place of the current one. */
  replace(next: History): void {
    if (next === this.history) return
    this.history = next
    this.generation++
  }

  clear(): void {
    this.history.clear()
    this.liveTime = NaN
    this.epoch++
  }
}

export const telemetry = new Telemetry()

/** The time range a panel shows now: the live window ending at the newest sample, or the frozen view. */
export function visibleRange(live: boolean, windowS: number, min: number, max: number): [number, number] {
  if (!live) return [min, max]
  // Simulated time starts at 0: until a window's worth has run, show the first window and fill it.
  const end = Math.max(windowS, telemetry.history.length > 0 ? telemetry.history.lastTime : 0)
  return [end - windowS, end]
}
