// Bounded telemetry history: one shared time column and one value column per signal, as rings.
// Appending a frame allocates nothing; memory is fixed by the capacity however long the run.

export class History {
  readonly capacity: number
  private readonly times: Float64Array
  private readonly columns: Float64Array[]
  /** Index of the next write; the ring holds `length` samples ending just before it. */
  private head = 0
  private count = 0
  /** Bumped on every change, so views know when to redraw. */
  version = 0
  /**
   * Bumped on every change but an append after the newest sample (a sample rewritten, the history cleared
   * or filled in): a view may keep what it drew of older samples only while this stays the same.
   */
  edits = 0

  constructor(
    /** Qualified names, in the order of the values of each appended frame. */
    readonly signals: readonly string[],
    capacity: number
  ) {
    this.capacity = Math.max(2, Math.floor(capacity))
    this.times = new Float64Array(this.capacity)
    this.columns = signals.map(() => new Float64Array(this.capacity))
  }

  get length(): number {
    return this.count
  }

  private columnOf: Map<string, number> | null = null

  /** A signal's column, or -1; a map, since legends and readouts ask on every refresh among thousands. */
  indexOf(signal: string): number {
    this.columnOf ??= new Map(this.signals.map((name, i) => [name, i]))
    return this.columnOf.get(signal) ?? -1
  }

  append(time: number, values: ArrayLike<number>): void {
    const at = this.head
    this.times[at] = time
    const n = Math.min(values.length, this.columns.length)
    for (let i = 0; i < n; i++) this.columns[i]![at] = values[i]!
    this.head = (at + 1) % this.capacity
    if (this.count < this.capacity) this.count++
    this.version++
  }

  /**
   * Overwrites the newest sample's values (a paused run repeats its frame with current values). The same
   * frame sent again with the same values (a telemetry tick that found no new frame) changes nothing and
   * is no edit: counting it made every plot draw itself whole a few times a second.
   */
  replaceLast(values: ArrayLike<number>): void {
    if (this.count === 0) return
    const at = (this.head - 1 + this.capacity) % this.capacity
    const n = Math.min(values.length, this.columns.length)
    let changed = false
    for (let i = 0; i < n; i++) {
      const column = this.columns[i]!
      const v = values[i]!
      if (!Object.is(column[at], v)) {
        column[at] = v
        changed = true
      }
    }
    if (!changed) return
    this.version++
    this.edits++
  }

  clear(): void {
    this.head = 0
    this.count = 0
    this.version++
    this.edits++
  }

  /** Ring position of the k-th oldest sample. */
  private slot(k: number): number {
    return (this.head - this.count + k + this.capacity) % this.capacity
  }

  timeAt(k: number): number {
    return this.times[this.slot(k)]!
  }

  valueAt(column: number, k: number): number {
    return this.columns[column]![this.slot(k)]!
  }

  /** Rewrites one held value (history fetched from the server fills a signal's missing samples). */
  setValueAt(column: number, k: number, value: number): void {
    this.columns[column]![this.slot(k)] = value
    this.version++
    this.edits++
  }

  /**
   * When a column's data begins, for a signal subscribed after the others: the time of its first number
   * after a run of missing samples at the start, or null when it has data from the first sample on.
   * Binary search, on the assumption that missing samples only lead (they are filled in on resubscribe).
   */
  startedLate(column: number): number | null {
    if (column < 0 || this.count === 0 || !Number.isNaN(this.valueAt(column, 0))) return null
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (Number.isNaN(this.valueAt(column, mid))) lo = mid + 1
      else hi = mid
    }
    return lo < this.count ? this.timeAt(lo) : null
  }

  get firstTime(): number {
    return this.count > 0 ? this.timeAt(0) : NaN
  }

  get lastTime(): number {
    return this.count > 0 ? this.timeAt(this.count - 1) : NaN
  }

  /** Index of the first sample with time >= t (times ascend: a reset clears the history). */
  lowerBound(t: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.timeAt(mid) < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first sample with time > t. */
  upperBound(t: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.timeAt(mid) <= t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The value of a column at the sample nearest to time t, or NaN when empty. */
  valueNear(column: number, t: number): number {
    if (this.count === 0 || column < 0) return NaN
    const i = this.lowerBound(t)
    if (i >= this.count) return this.valueAt(column, this.count - 1)
    if (i === 0) return this.valueAt(column, 0)
    return t - this.timeAt(i - 1) <= this.timeAt(i) - t ? this.valueAt(column, i - 1) : this.valueAt(column, i)
  }
}
