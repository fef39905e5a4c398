// What every received telemetry frame goes through before it enters the history: the derived signals
// are computed from it (as extra columns), then every column is checked against its limits. It runs
// per received frame, not per drawn one, and allocates nothing per frame.
import type { SignalLimits } from '../../../shared/protocol/messages'
import { compileDerived, type CompiledDerived } from '../derived/derived'
import { keepLevelsOf, recordCrossing } from '../limits/alarms'
import { LimitChecker } from '../limits/checker'
import { effectiveLimits } from '../limits/limits'
import type { ConsoleState } from '../store/store'

/** Derived signals use only those defined before them, so chains are finite; this bounds a walk anyway. */
const MAX_DEPTH = 300

type Config = Pick<ConsoleState, 'signals' | 'derived' | 'limits'>

interface Plan {
  derived: CompiledDerived
  /** Row columns of the expression's inputs, -1 when the input is not in the frame. */
  columns: Int32Array
  /** Reused input values, in the expression's input order. */
  scratch: Float64Array
}

export class FramePipeline {
  private subscribed: readonly string[] = []
  private config: Config = { signals: [], derived: [], limits: {} }
  private plans: Plan[] = []
  private row = new Float64Array(0)
  readonly checker = new LimitChecker()
  /** The compiled definitions, with their errors: what the derived-signals dialog shows. */
  compiled: CompiledDerived[] = []

  /** The signals of the current subscription, in frame order. */
  get subscribedSignals(): readonly string[] {
    return this.subscribed
  }

  /** The history's columns for a subscription: the subscribed signals, then the derived ones. */
  columns(subscribed: readonly string[]): string[] {
    this.subscribed = [...subscribed]
    this.rebuild()
    return this.allColumns()
  }

  private allColumns(): string[] {
    return [...this.subscribed, ...this.config.derived.map((d) => d.name)]
  }

  /** New definitions, limits or schema. Returns whether the history's columns changed. */
  configure(config: Config): boolean {
    const before = this.allColumns().join('\n')
    this.config = config
    this.rebuild()
    return this.allColumns().join('\n') !== before
  }

  private rebuild(): void {
    const schemaNames = new Set(this.config.signals.map((s) => s.name))
    this.compiled = compileDerived(this.config.derived, schemaNames)
    const columns = this.allColumns()
    const index = new Map(columns.map((n, i) => [n, i]))
    this.plans = this.compiled.map((derived) => {
      const inputs = derived.compiled.ok ? derived.compiled.inputs : []
      return { derived, columns: Int32Array.from(inputs, (n) => index.get(n) ?? -1), scratch: new Float64Array(inputs.length) }
    })
    this.row = new Float64Array(columns.length)
    const fromSchema = new Map(this.config.signals.map((s) => [s.name, s.limits]))
    this.checker.configure(columns, (n) => effectiveLimits(this.config.limits, fromSchema.get(n), n))
    const checked = new Set(columns.filter((n) => effectiveLimits(this.config.limits, fromSchema.get(n), n) !== undefined))
    keepLevelsOf(checked)
  }

  /**
   * Rows of `base` signals then the derived ones that can be computed from them (in definition order):
   * the columns, and what computes a row's derived values in place. For history fetched from the server,
   * whose rows have not been through process(); no limits are checked on the past.
   */
  deriverFor(base: readonly string[]): { columns: string[]; derive: (row: Float64Array) => void } {
    const index = new Map(base.map((n, i) => [n, i]))
    const plans: { name: string; at: number; evaluate: (inputs: Float64Array) => number; columns: Int32Array; scratch: Float64Array }[] = []
    for (const c of this.compiled) {
      if (!c.compiled.ok || index.has(c.signal.name)) continue
      const inputs = c.compiled.inputs
      if (!inputs.every((n) => index.has(n))) continue
      index.set(c.signal.name, index.size)
      plans.push({ name: c.signal.name, at: index.size - 1, evaluate: c.compiled.evaluate, columns: Int32Array.from(inputs, (n) => index.get(n)!), scratch: new Float64Array(inputs.length) })
    }
    const columns = [...base, ...plans.map((p) => p.name)]
    const derive = (row: Float64Array): void => {
      for (const p of plans) {
        for (let k = 0; k < p.columns.length; k++) p.scratch[k] = row[p.columns[k]!]!
        row[p.at] = p.evaluate(p.scratch)
      }
    }
    return { columns, derive }
  }

  /** The inputs a signal is computed from, down to the run's signals (itself when it is one). */
  sourcesOf(signal: string): string[] {
    const byName = new Map(this.compiled.map((c) => [c.signal.name, c]))
    const out = new Set<string>()
    const visit = (name: string, depth: number): void => {
      const d = byName.get(name)
      if (!d) {
        out.add(name)
        return
      }
      if (!d.compiled.ok || depth > MAX_DEPTH) return
      for (const n of d.compiled.inputs) visit(n, depth + 1)
    }
    visit(signal, 0)
    return [...out]
  }

  /** Signals the console needs streamed besides what panels show: derived inputs and limited signals. */
  neededSignals(): string[] {
    const out = new Set<string>()
    for (const c of this.compiled) if (c.compiled.ok) for (const n of c.compiled.inputs) out.add(n)
    for (const s of this.config.signals) if (effectiveLimits(this.config.limits, s.limits, s.name)) out.add(s.name)
    for (const n of Object.keys(this.config.limits)) out.add(n)
    return [...out]
  }

  /** The frame's row for the history (subscribed values, then derived), limits checked. */
  process(frame: number, time: number, values: ArrayLike<number>): ArrayLike<number> {
    const plans = this.plans
    if (plans.length === 0 && this.checker.size === 0) return values
    const row = this.row
    const n = Math.min(values.length, this.subscribed.length)
    for (let i = 0; i < n; i++) row[i] = values[i]!
    for (let i = n; i < this.subscribed.length; i++) row[i] = NaN
    const base = this.subscribed.length
    for (let d = 0; d < plans.length; d++) {
      const plan = plans[d]!
      const compiled = plan.derived.compiled
      if (!compiled.ok) {
        row[base + d] = NaN
        continue
      }
      const cols = plan.columns
      const scratch = plan.scratch
      for (let k = 0; k < cols.length; k++) scratch[k] = cols[k]! >= 0 ? row[cols[k]!]! : NaN
      row[base + d] = compiled.evaluate(scratch)
    }
    this.checker.check(frame, time, row, recordCrossing)
    return row
  }
}

export const pipeline = new FramePipeline()

/** The limits in force for a signal (the console's own, else the configuration's), for views. */
export function limitsFor(state: Config, signal: string): SignalLimits | undefined {
  return effectiveLimits(state.limits, state.signals.find((s) => s.name === signal)?.limits, signal)
}
