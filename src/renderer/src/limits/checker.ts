// The limit checker: every received frame's values against their signals' limits, with no allocation per
// frame; it reports a crossing (a change of level: into warn or alarm, between them, or back) once.
import type { Level, SignalLimits } from './limits'

export interface CrossingSink {
  (signal: string, from: Level, to: Level, frame: number, time: number, value: number): void
}

export class LimitChecker {
  /** Columns of the frame row that have limits, and their bounds (open bounds are ±Infinity). */
  private columns = new Int32Array(0)
  private names: string[] = []
  private warnLo = new Float64Array(0)
  private warnHi = new Float64Array(0)
  private alarmLo = new Float64Array(0)
  private alarmHi = new Float64Array(0)
  private levels = new Uint8Array(0)

  /**
   * The frame's columns and the limits of each (undefined: none). A signal that keeps its limits keeps
   * its level, so re-subscribing does not report crossings again; a new one starts within limits.
   */
  configure(columns: readonly string[], limitsOf: (signal: string) => SignalLimits | undefined): void {
    const previous = new Map(this.names.map((n, i) => [n, this.levels[i]!]))
    const chosen: { column: number; name: string; limits: SignalLimits }[] = []
    columns.forEach((name, column) => {
      const limits = limitsOf(name)
      if (limits) chosen.push({ column, name, limits })
    })
    const n = chosen.length
    this.columns = new Int32Array(n)
    this.names = chosen.map((c) => c.name)
    this.warnLo = new Float64Array(n)
    this.warnHi = new Float64Array(n)
    this.alarmLo = new Float64Array(n)
    this.alarmHi = new Float64Array(n)
    this.levels = new Uint8Array(n)
    chosen.forEach((c, i) => {
      this.columns[i] = c.column
      this.warnLo[i] = c.limits.warn?.[0] ?? -Infinity
      this.warnHi[i] = c.limits.warn?.[1] ?? Infinity
      this.alarmLo[i] = c.limits.alarm?.[0] ?? -Infinity
      this.alarmHi[i] = c.limits.alarm?.[1] ?? Infinity
      this.levels[i] = previous.get(c.name) ?? 0
    })
  }

  /** How many signals are checked. */
  get size(): number {
    return this.columns.length
  }

  /** The current level of every checked signal that is out of limits. */
  outOfLimits(): Map<string, Level> {
    const out = new Map<string, Level>()
    this.names.forEach((n, i) => {
      if (this.levels[i]! > 0) out.set(n, this.levels[i] as Level)
    })
    return out
  }

  /** Checks one frame; calls `sink` for each signal whose level changed. A NaN (no sample) changes nothing. */
  check(frame: number, time: number, values: ArrayLike<number>, sink: CrossingSink): void {
    const columns = this.columns
    for (let i = 0; i < columns.length; i++) {
      const v = values[columns[i]!]!
      if (v !== v) continue
      // Inclusive bounds: a value equal to a bound is within it.
      const level: Level = v < this.alarmLo[i]! || v > this.alarmHi[i]! ? 2 : v < this.warnLo[i]! || v > this.warnHi[i]! ? 1 : 0
      const was = this.levels[i] as Level
      if (level === was) continue
      this.levels[i] = level
      sink(this.names[i]!, was, level, frame, time, v)
    }
  }
}
