import { beforeEach, describe, expect, it } from 'vitest'
import { flushCrossings, useAlarms } from './alarms'
import { LimitChecker } from './checker'
import { levelOf, type Level, type SignalLimits } from './limits'

type Seen = [string, Level, Level, number, number, number]

function checkerFor(limits: Record<string, SignalLimits>, columns: string[]) {
  const c = new LimitChecker()
  c.configure(columns, (n) => limits[n])
  const seen: Seen[] = []
  const run = (frame: number, values: number[]) => c.check(frame, frame / 100, values, (...args) => seen.push(args))
  return { c, seen, run }
}

describe('limit levels', () => {
  it('treats bounds as inclusive', () => {
    const l: SignalLimits = { warn: [-3, 3], alarm: [-5, 5] }
    expect([-5.0001, -5, -3, 0, 3, 3.0001, 5, 5.1].map((v) => levelOf(v, l))).toEqual([2, 1, 0, 0, 0, 1, 1, 2])
  })

  it('honours one-sided limits and missing ranges', () => {
    expect([1, 2, 2.5, -1e9].map((v) => levelOf(v, { alarm: [null, 2] }))).toEqual([0, 0, 2, 0])
    expect([-1, 0, 1e9].map((v) => levelOf(v, { warn: [0, null] }))).toEqual([1, 0, 0])
    expect(levelOf(100, {})).toBe(0)
    expect(levelOf(NaN, { alarm: [0, 1] })).toBe(0)
  })
})

describe('the limit checker', () => {
  it('records a crossing once per crossing, not once per frame, with frame, time and value', () => {
    const { seen, run } = checkerFor({ x: { warn: [-3, 3], alarm: [-5, 5] } }, ['other', 'x'])
    const xs = [0, 1, 3, 3.5, 4, 4.5, 6, 7, 6, 4, 2, 2, 2]
    xs.forEach((x, frame) => run(frame, [99, x]))
    expect(seen).toEqual([
      ['x', 0, 1, 3, 0.03, 3.5],
      ['x', 1, 2, 6, 0.06, 6],
      ['x', 2, 1, 9, 0.09, 4],
      ['x', 1, 0, 10, 0.1, 2]
    ])
  })

  it('is the same on the same values as levelOf (inclusive, one-sided)', () => {
    const limits = { a: { alarm: [null, 2] as [null, number] }, b: { warn: [0, 0] as [number, number] } }
    const { seen, run } = checkerFor(limits, ['a', 'b'])
    run(1, [2, 0])
    expect(seen).toEqual([])
    run(2, [2.01, -0.01])
    expect(seen).toEqual([
      ['a', 0, 2, 2, 0.02, 2.01],
      ['b', 0, 1, 2, 0.02, -0.01]
    ])
  })

  it('skips missing samples and columns without limits, and keeps levels across a new configuration', () => {
    const limits: Record<string, SignalLimits> = { x: { alarm: [0, 1] } }
    const { c, seen, run } = checkerFor(limits, ['x'])
    run(1, [5])
    run(2, [NaN])
    run(3, [5])
    expect(seen.length).toBe(1)
    // x moves to another column and a limited y joins: x is still in alarm, so nothing new is reported.
    limits.y = { warn: [0, 1] }
    c.configure(['y', 'x'], (n) => limits[n])
    c.check(4, 0.04, [0.5, 5], (...args) => seen.push(args))
    expect(seen.length).toBe(1)
    expect(c.outOfLimits()).toEqual(new Map([['x', 2]]))
  })
})

describe('the alarm list', () => {
  beforeEach(() => useAlarms.getState().clear())

  it('holds the signals out of limits now and every crossing, acknowledged one by one or all', async () => {
    const { recordCrossing } = await import('./alarms')
    recordCrossing('x', 0, 1, 3, 0.03, 3.5)
    recordCrossing('y', 0, 2, 4, 0.04, 9)
    recordCrossing('x', 1, 0, 5, 0.05, 1)
    // Nothing reaches the store until the batch is flushed: one update for the three.
    expect(useAlarms.getState().crossings.length).toBe(0)
    flushCrossings()
    const s = useAlarms.getState()
    expect(s.levels).toEqual({ y: 2 })
    expect(s.crossings.map((c) => [c.signal, c.to, c.frame, c.value, c.acknowledged])).toEqual([
      ['x', 1, 3, 3.5, false],
      ['y', 2, 4, 9, false],
      ['x', 0, 5, 1, false]
    ])
    s.acknowledge(s.crossings[1]!.id)
    expect(useAlarms.getState().crossings.map((c) => c.acknowledged)).toEqual([false, true, false])
    useAlarms.getState().acknowledgeAll()
    expect(useAlarms.getState().crossings.every((c) => c.acknowledged)).toBe(true)
  })
})
