// History queries (the `history` extension, docs/protocol.md): signals over a time range, with at most
// max_points points each: every sample when the range holds that few, else min and max per bucket (so a
// one-frame spike survives). Fed batch by batch, from memory or from the file.
import type { FrameBatch } from './format'

/** A request may ask for at most this many points per signal... */
export const MAX_HISTORY_POINTS = 10_000
/** ...and for at most this many values in all (points x signals): a reply stays bounded. */
export const MAX_HISTORY_VALUES = 400_000
/** The latest time a request may name, s: every time in ns stays an exact integer (about 104 days). */
export const MAX_HISTORY_S = Math.floor(Number.MAX_SAFE_INTEGER / 1e9)

export interface HistoryQuery {
  /** Column indexes (recording order) and their names. */
  columns: number[]
  names: string[]
  /** Recording clock, ns, inclusive. */
  fromNs: number
  toNs: number
  maxPoints: number
}

export interface HistoryReply {
  mode: 'full' | 'minmax'
  signals: string[]
  /** full: each sample's simulated time, s; minmax: each bucket's first frame (its nominal start when empty). */
  time: number[]
  /** full: per signal, one value per time. */
  values?: Record<string, number[]>
  /** minmax: per signal, per bucket; null where a bucket holds no frame. */
  min?: Record<string, (number | null)[]>
  max?: Record<string, (number | null)[]>
  /** Frames the range held. */
  frames: number
}

/** Where history comes from: a recorder (live run) or a recording (replay). Times: simulated, current segment. */
export interface HistorySource {
  /** Recorded signals, in column order. */
  readonly signals: readonly string[]
  query(q: HistoryQuery): Promise<HistoryReply>
}

export class HistoryBuilder {
  private readonly mode: 'full' | 'minmax'
  private readonly buckets: number
  private readonly widthNs: number
  private readonly time: number[] = []
  private readonly values: number[][]
  private readonly min: Float64Array[]
  private readonly max: Float64Array[]
  private readonly filled: Uint8Array
  /** Recording clock of each bucket's first frame. */
  private readonly firstNs: Float64Array
  /** Simulated minus recording clock at each bucket's first frame (for the reported times). */
  private readonly offsets: Float64Array
  /** The same for empty buckets (the range is in one segment). */
  private offsetNs: number
  private frames = 0
  /** Scratch: the bucket of each frame of the batch being added (-1 outside the range). */
  private bucketOfFrame = new Int32Array(0)

  /**
   * `expectedFrames`: how many frames the range may hold (its length over the frame period, plus one);
   * `offsetNs`: recording clock minus simulated time in the range's segment (`q` is in the recording clock).
   */
  constructor(
    private readonly q: HistoryQuery,
    expectedFrames: number,
    offsetNs: number
  ) {
    this.offsetNs = -offsetNs
    this.mode = expectedFrames <= q.maxPoints ? 'full' : 'minmax'
    // Two values (min, max) a bucket: max_points values per signal in all.
    this.buckets = this.mode === 'full' ? 0 : Math.max(1, Math.floor(q.maxPoints / 2))
    this.widthNs = this.mode === 'full' ? 0 : (q.toNs - q.fromNs + 1) / this.buckets
    this.values = q.columns.map(() => [])
    this.min = q.columns.map(() => new Float64Array(this.buckets).fill(Infinity))
    this.max = q.columns.map(() => new Float64Array(this.buckets).fill(-Infinity))
    this.filled = new Uint8Array(this.buckets)
    this.firstNs = new Float64Array(this.buckets)
    this.offsets = new Float64Array(this.buckets)
  }

  /** Full mode fills up to max_points: a range that held more than expected (none normally) is cut there. */
  add(b: FrameBatch): void {
    if (this.mode === 'minmax') return this.addToBuckets(b)
    const { fromNs, toNs, columns } = this.q
    for (let k = 0; k < b.frames.length; k++) {
      const t = b.timesNs[k]! + b.offsetNs
      if (t < fromNs || t > toNs) continue
      this.frames++
      if (this.time.length >= this.q.maxPoints) continue
      this.time.push(b.timesNs[k]! / 1e9)
      for (let c = 0; c < columns.length; c++) this.values[c]!.push(b.columns[columns[c]!]![k]!)
    }
  }

  /** Each frame's bucket once, then one tight pass per column (a whole-run view adds millions of frames). */
  private addToBuckets(b: FrameBatch): void {
    const { fromNs, toNs, columns } = this.q
    const n = b.frames.length
    if (this.bucketOfFrame.length < n) this.bucketOfFrame = new Int32Array(n)
    const bucket = this.bucketOfFrame
    const times = b.timesNs
    const offsetNs = b.offsetNs
    const widthNs = this.widthNs
    const last = this.buckets - 1
    const filled = this.filled
    // A batch's times increase: a frame more than 1 ns before the next bucket's start is in the current
    // bucket (the division's rounding is far below 1 ns), so only frames near an edge take the division.
    let i = -1
    let start = Infinity
    let end = -Infinity
    let frames = 0
    for (let k = 0; k < n; k++) {
      const t = times[k]! + offsetNs
      if (t < fromNs || t > toNs) {
        bucket[k] = -1
        continue
      }
      if (t >= end || t < start) {
        i = Math.min(last, Math.floor((t - fromNs) / widthNs))
        start = fromNs + i * widthNs
        end = start + widthNs - 1
        if (!filled[i]) this.fill(i, t, offsetNs)
      }
      bucket[k] = i
      frames++
    }
    this.frames += frames
    for (let c = 0; c < columns.length; c++) {
      const values = b.columns[columns[c]!]!
      const min = this.min[c]!
      const max = this.max[c]!
      for (let k = 0; k < n; k++) {
        const j = bucket[k]!
        if (j < 0) continue
        const v = values[k]!
        if (v < min[j]!) min[j] = v
        if (v > max[j]!) max[j] = v
      }
    }
  }

  private fill(i: number, firstNs: number, offsetNs: number): void {
    this.filled[i] = 1
    this.firstNs[i] = firstNs
    this.offsets[i] = -offsetNs
  }

  /** The bucket a recording-clock time falls in (minmax mode), or -1 outside the range or in full mode. */
  bucketOf(t: number): number {
    if (this.mode === 'full' || t < this.q.fromNs || t > this.q.toNs) return -1
    return Math.min(this.buckets - 1, Math.floor((t - this.q.fromNs) / this.widthNs))
  }

  /**
   * A whole batch (or span of batches) by its summary instead of its frames, in the bucket of its first
   * frame: the same min and max a scan finds (`<` and `>` as in add). One shorter than a bucket may run
   * into the next bucket, whose frames then start after it: bucket edges move to batch edges, each
   * bucket still holds the extremes of exactly the frames from its first to the next bucket's first, and
   * a whole-run view reads summaries only. Refused (scan the frames) at the range's ends and for longer
   * spans. `offsetNs`: recording clock minus simulated time.
   */
  /** `min` and `max` hold the summary's values from `minAt` and `maxAt` on, one per recorded signal. */
  addSummary(firstNs: number, lastNs: number, count: number, offsetNs: number, min: Float64Array, max: Float64Array, minAt = 0, maxAt = 0): boolean {
    const i = this.bucketOf(firstNs)
    const j = this.bucketOf(lastNs)
    if (i < 0 || j < 0 || (j !== i && (j !== i + 1 || lastNs - firstNs >= this.widthNs))) return false
    this.frames += count
    if (!this.filled[i]) this.fill(i, firstNs, offsetNs)
    const { columns } = this.q
    for (let c = 0; c < columns.length; c++) {
      const lo = min[minAt + columns[c]!]!
      const hi = max[maxAt + columns[c]!]!
      if (lo < this.min[c]![i]!) this.min[c]![i] = lo
      if (hi > this.max[c]![i]!) this.max[c]![i] = hi
    }
    return true
  }

  reply(): HistoryReply {
    const { names } = this.q
    if (this.mode === 'full') {
      return { mode: 'full', signals: names, time: this.time, values: Object.fromEntries(names.map((n, c) => [n, this.values[c]!])), frames: this.frames }
    }
    const time = Array.from({ length: this.buckets }, (_, i) =>
      this.filled[i] ? (this.firstNs[i]! + this.offsets[i]!) / 1e9 : (this.q.fromNs + i * this.widthNs + this.offsetNs) / 1e9
    )
    const pick = (arrays: Float64Array[]): Record<string, (number | null)[]> =>
      Object.fromEntries(names.map((n, c) => [n, Array.from(arrays[c]!, (v, i) => (this.filled[i] ? v : null))]))
    return { mode: 'minmax', signals: names, time, min: pick(this.min), max: pick(this.max), frames: this.frames }
  }
}
