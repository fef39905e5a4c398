import { describe, expect, it } from 'vitest'
import { planAxes } from './axes'

const UNITS: Record<string, string> = { 'v.x': 'm', 'v.y': 'm', 'f.x': 'N', 'k.p': '', 'w.v': 'V', 'w.p': 'W' }
const unitOf = (s: string): string => UNITS[s] ?? ''

describe('per-unit y axes', () => {
  it('puts signals of one unit on one axis labelled with it', () => {
    expect(planAxes(['v.x', 'v.y'], unitOf)).toEqual({ axes: [{ scale: 'y', units: ['m'], label: 'm', series: [0, 1] }], scaleOf: ['y', 'y'] })
  })

  it('gives each new unit its own axis, in order of first appearance, up to three', () => {
    const plan = planAxes(['f.x', 'v.x', 'k.p', 'v.y'], unitOf)
    expect(plan.axes.map((a) => [a.scale, a.label, a.series])).toEqual([
      ['y', 'N', [0]],
      ['y2', 'm', [1, 3]],
      ['y3', 'no unit', [2]]
    ])
    expect(plan.scaleOf).toEqual(['y', 'y2', 'y3', 'y2'])
  })

  it('puts a fourth and fifth unit on the third axis and says it is shared', () => {
    const plan = planAxes(['v.x', 'f.x', 'w.v', 'w.p', 'k.p'], unitOf)
    expect(plan.axes).toHaveLength(3)
    expect(plan.axes[2]).toEqual({ scale: 'y3', units: ['V', 'W', ''], label: 'V, W, no unit (shared axis)', series: [2, 3, 4] })
  })

  it('leaves a lone axis of signals without a unit unlabelled', () => {
    expect(planAxes(['k.p', 'x.q'], unitOf).axes).toEqual([{ scale: 'y', units: [''], label: '', series: [0, 1] }])
  })

  it('has one axis for an empty plot', () => {
    expect(planAxes([], unitOf)).toEqual({ axes: [{ scale: 'y', units: [], label: '', series: [] }], scaleOf: [] })
  })
})
