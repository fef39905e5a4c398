// Which y axis each signal of a time plot goes on: one per unit, in order of first appearance, up to
// three (left, right, right outside it); further units share the third, whose label says so.
export const MAX_Y_AXES = 3
export const Y_SCALES = ['y', 'y2', 'y3'] as const

export interface YAxisPlan {
  scale: (typeof Y_SCALES)[number]
  units: string[]
  label: string
  /** Indices into the plot's signals. */
  series: number[]
}

export interface UnitPlan {
  axes: YAxisPlan[]
  /** The scale of each signal, by index. */
  scaleOf: string[]
}

const unitText = (unit: string): string => (unit === '' ? 'no unit' : unit)

export function planAxes(signals: readonly string[], unitOf: (signal: string) => string): UnitPlan {
  const units: string[] = []
  for (const s of signals) {
    const u = unitOf(s)
    if (!units.includes(u)) units.push(u)
  }
  const axisOfUnit = (u: string): number => Math.min(units.indexOf(u), MAX_Y_AXES - 1)
  const count = Math.min(units.length, MAX_Y_AXES)
  const axes: YAxisPlan[] = Array.from({ length: Math.max(1, count) }, (_, i) => {
    const own = i < MAX_Y_AXES - 1 ? units.slice(i, i + 1) : units.slice(i)
    const label = own.length > 1 ? `${own.map(unitText).join(', ')} (shared axis)` : own.length === 1 ? unitText(own[0]!) : ''
    return { scale: Y_SCALES[i]!, units: own, label, series: [] }
  })
  // One axis of signals without a unit needs no label saying so.
  if (axes.length === 1 && units.length === 1 && units[0] === '') axes[0]!.label = ''
  const scaleOf = signals.map((s, i) => {
    const a = axes[axisOfUnit(unitOf(s))]!
    a.series.push(i)
    return a.scale
  })
  return { axes, scaleOf }
}
