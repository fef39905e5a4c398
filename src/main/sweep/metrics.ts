// Metrics of one run: statistics of a signal over every frame, the first crossing of a value, faults.
// Written as `stat(signal)`, `crossing(signal, value[, rising|falling])` or `faults()`, in a sweep file
// and after `hermes run --metric`. The accumulator runs in the frame loop: it allocates nothing per frame.

export const SIGNAL_STATS = ['final', 'min', 'max', 'mean', 'rms', 'max_abs'] as const
export type SignalStat = (typeof SIGNAL_STATS)[number]
export type Direction = 'any' | 'rising' | 'falling'

export type MetricSpec =
  | { name: string; kind: 'stat'; stat: SignalStat; signal: string }
  | { name: string; kind: 'crossing'; signal: string; value: number; direction: Direction }
  | { name: string; kind: 'faults' }

/** The text of a metric that cannot be read; the message says what was expected. */
export class MetricError extends Error {
  override name = 'MetricError'
}

const FORMS = `final|min|max|mean|rms|max_abs(signal), crossing(signal, value[, rising|falling]) or faults()`

/** `max_abs(vehicle.position.x)` -> a spec named `name`. Throws MetricError. */
export function parseMetric(name: string, text: string): MetricSpec {
  const m = /^\s*([a-z_]+)\s*\(\s*(.*?)\s*\)\s*$/.exec(text)
  if (!m) throw new MetricError(`expected ${FORMS}, got '${text}'`)
  const fn = m[1]!
  const args = m[2] === '' ? [] : m[2]!.split(',').map((a) => a.trim())
  if (fn === 'faults') {
    if (args.length !== 0) throw new MetricError(`faults() takes no argument, got '${text}'`)
    return { name, kind: 'faults' }
  }
  const signal = args[0] ?? ''
  if (!/^[^.\s]+\.\S+$/.test(signal)) throw new MetricError(`${fn}() needs a signal as 'module.signal' first, got '${text}'`)
  if ((SIGNAL_STATS as readonly string[]).includes(fn)) {
    if (args.length !== 1) throw new MetricError(`${fn}() takes one signal, got '${text}'`)
    return { name, kind: 'stat', stat: fn as SignalStat, signal }
  }
  if (fn === 'crossing') {
    if (args.length < 2 || args.length > 3) throw new MetricError(`crossing() takes a signal, a value and optionally rising or falling, got '${text}'`)
    const value = Number(args[1])
    if (args[1] === '' || !Number.isFinite(value)) throw new MetricError(`crossing() needs a finite number as its value, got '${args[1]}'`)
    const direction = (args[2] ?? 'any') as Direction
    if (!['any', 'rising', 'falling'].includes(direction)) throw new MetricError(`crossing()'s direction is rising or falling, got '${args[2]}'`)
    return { name, kind: 'crossing', signal, value, direction }
  }
  throw new MetricError(`unknown metric '${fn}'; expected ${FORMS}`)
}

/** `name=stat(signal)`, or `stat(signal)` named after itself: the form of `--metric`. */
export function parseNamedMetric(text: string): MetricSpec {
  const eq = text.indexOf('=')
  const paren = text.indexOf('(')
  if (eq > 0 && (paren < 0 || eq < paren)) {
    const name = text.slice(0, eq).trim()
    if (name === '') throw new MetricError(`expected NAME=METRIC, got '${text}'`)
    return parseMetric(name, text.slice(eq + 1))
  }
  return parseMetric(text.trim().replace(/\s+/g, ''), text)
}

/** What the frame loop needs: each metric's slot resolved (the thread has no names). Plain data. */
export interface CompiledMetric {
  spec: MetricSpec
  /** Index into `slots` of the signal, or -1 for faults. */
  signal: number
}

export interface CompiledMetrics {
  metrics: CompiledMetric[]
  /** Backplane slots of the distinct signals the metrics read. */
  slots: number[]
}

/** Resolves signal names to slots; throws MetricError naming an unknown signal (with the known ones close to it). */
export function compileMetrics(specs: readonly MetricSpec[], slotOf: (qualified: string) => number | undefined): CompiledMetrics {
  const slots: number[] = []
  const bySlot = new Map<number, number>()
  const metrics = specs.map((spec): CompiledMetric => {
    if (spec.kind === 'faults') return { spec, signal: -1 }
    const slot = slotOf(spec.signal)
    if (slot === undefined) throw new MetricError(`metric '${spec.name}': no signal '${spec.signal}' in this configuration`)
    let index = bySlot.get(slot)
    if (index === undefined) {
      index = slots.length
      slots.push(slot)
      bySlot.set(slot, index)
    }
    return { spec, signal: index }
  })
  return { metrics, slots }
}

/**
 * Statistics of each signal over the values at the end of every frame; crossings between the staged
 * values (time 0) and the first frame, then frame to frame, linearly interpolated. A NaN in a signal
 * makes its statistics NaN (a run that diverged says so), but never fakes a crossing.
 */
export class MetricAccumulator {
  private readonly n: number
  private readonly slots: Int32Array
  private count = 0
  private readonly last: Float64Array
  private readonly min: Float64Array
  private readonly max: Float64Array
  private readonly sum: Float64Array
  private readonly sumSq: Float64Array
  private readonly maxAbs: Float64Array
  private readonly nan: Uint8Array
  private readonly crossings: { metric: number; signal: number; value: number; direction: Direction }[]
  private readonly crossedAt: Float64Array
  private prevTimeS = 0

  constructor(private readonly compiled: CompiledMetrics) {
    this.n = compiled.slots.length
    this.slots = Int32Array.from(compiled.slots)
    this.last = new Float64Array(this.n)
    this.min = new Float64Array(this.n).fill(Infinity)
    this.max = new Float64Array(this.n).fill(-Infinity)
    this.sum = new Float64Array(this.n)
    this.sumSq = new Float64Array(this.n)
    this.maxAbs = new Float64Array(this.n)
    this.nan = new Uint8Array(this.n)
    this.crossings = []
    compiled.metrics.forEach((m, i) => {
      if (m.spec.kind === 'crossing') this.crossings.push({ metric: i, signal: m.signal, value: m.spec.value, direction: m.spec.direction })
    })
    this.crossedAt = new Float64Array(this.crossings.length).fill(NaN)
  }

  /** The staged values at time 0: where crossings start from (not a sample of the statistics). */
  begin(values: Float64Array): void {
    for (let i = 0; i < this.n; i++) this.last[i] = values[this.slots[i]!]!
    this.prevTimeS = 0
  }

  /** The values at the end of a frame, at `timeS`. */
  observe(values: Float64Array, timeS: number): void {
    const crossings = this.crossings
    for (let c = 0; c < crossings.length; c++) {
      if (!Number.isNaN(this.crossedAt[c]!)) continue
      const x = crossings[c]!
      const prev = this.last[x.signal]!
      const cur = values[this.slots[x.signal]!]!
      const up = prev < x.value && cur >= x.value
      const down = prev > x.value && cur <= x.value
      if ((x.direction !== 'falling' && up) || (x.direction !== 'rising' && down)) {
        this.crossedAt[c] = this.prevTimeS + ((x.value - prev) / (cur - prev)) * (timeS - this.prevTimeS)
      }
    }
    for (let i = 0; i < this.n; i++) {
      const v = values[this.slots[i]!]!
      this.last[i] = v
      if (v !== v) {
        this.nan[i] = 1
        continue
      }
      if (v < this.min[i]!) this.min[i] = v
      if (v > this.max[i]!) this.max[i] = v
      this.sum[i] = this.sum[i]! + v
      this.sumSq[i] = this.sumSq[i]! + v * v
      const a = v < 0 ? -v : v
      if (a > this.maxAbs[i]!) this.maxAbs[i] = a
    }
    this.count++
    this.prevTimeS = timeS
  }

  /** One value per metric, in order; null where there is none (no frame ran, no crossing). */
  results(faults: number): (number | null)[] {
    let c = 0
    return this.compiled.metrics.map((m) => {
      const { spec } = m
      if (spec.kind === 'faults') return faults
      if (spec.kind === 'crossing') {
        const t = this.crossedAt[c++]!
        return Number.isNaN(t) ? null : t
      }
      if (this.count === 0) return null
      const i = m.signal
      if (spec.stat === 'final') return this.last[i]!
      if (this.nan[i]) return NaN
      switch (spec.stat) {
        case 'min':
          return this.min[i]!
        case 'max':
          return this.max[i]!
        case 'mean':
          return this.sum[i]! / this.count
        case 'rms':
          return Math.sqrt(this.sumSq[i]! / this.count)
        case 'max_abs':
          return this.maxAbs[i]!
      }
    })
  }
}
