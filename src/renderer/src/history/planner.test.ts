import { describe, expect, it } from 'vitest'
import { add, normalize, subtract } from './intervals'
import { MAX_VALUES, planRequests } from './planner'

describe('the history request planner', () => {
  it('asks for the signals that lack the same interval in one request', () => {
    const plan = planRequests(
      [
        { signal: 'a', holes: [[0, 30]] },
        { signal: 'b', holes: [[0, 30]] },
        { signal: 'c', holes: [[10, 12]] }
      ],
      { pointsPerSecond: 30 }
    )
    // The newest interval first: what the live window shows fills first.
    expect(plan).toEqual([
      { signals: ['a', 'b'], from: 0, to: 30, maxPoints: 1080 },
      { signals: ['c'], from: 10, to: 12, maxPoints: 72 }
    ])
  })

  it('splits by signals so no request asks for more than a reply may hold', () => {
    const needs = Array.from({ length: 500 }, (_, i) => ({ signal: `s${i}`, holes: [[0, 10] as const] }))
    const plan = planRequests(needs, { maxPoints: 2000 })
    expect(plan.map((r) => r.signals.length)).toEqual([200, 200, 100])
    for (const r of plan) expect(r.signals.length * r.maxPoints).toBeLessThanOrEqual(MAX_VALUES)
    expect(new Set(plan.flatMap((r) => r.signals)).size).toBe(500)
  })

  it('keeps max_points within the server bounds', () => {
    expect(planRequests([{ signal: 'a', holes: [[0, 100_000]] }], { pointsPerSecond: 60 })[0]!.maxPoints).toBe(10_000)
    expect(planRequests([{ signal: 'a', holes: [[0, 0.001]] }], { pointsPerSecond: 60 })[0]!.maxPoints).toBe(2)
    expect(planRequests([{ signal: 'a', holes: [[5, 6]] }], { maxPoints: 50_000 })[0]!.maxPoints).toBe(10_000)
  })

  it('joins holes of one signal that are close, so a stuttering link makes one request', () => {
    const plan = planRequests([{ signal: 'a', holes: [[0, 1], [1.5, 2], [10, 11]] }], { pointsPerSecond: 10, joinGapS: 1 })
    expect(plan.map((r) => [r.from, r.to])).toEqual([[10, 11], [0, 2]])
  })

  it('asks for nothing when nothing is lacking', () => {
    expect(planRequests([], { pointsPerSecond: 60 })).toEqual([])
    expect(planRequests([{ signal: 'a', holes: [] }], { pointsPerSecond: 60 })).toEqual([])
  })
})

describe('intervals: what is lacking minus what was asked', () => {
  it('subtracts asked intervals and drops slivers', () => {
    expect(subtract([[0, 10]], [[2, 3], [5, 6]])).toEqual([[0, 2], [3, 5], [6, 10]])
    expect(subtract([[0, 10]], [[0, 10]])).toEqual([])
    expect(subtract([[0, 10]], [[0, 9.99]], 0.1)).toEqual([])
    expect(subtract([[0, 10]], [[-5, 4]])).toEqual([[4, 10]])
  })

  it('keeps intervals sorted and disjoint', () => {
    expect(normalize([[5, 6], [0, 2], [1, 3]])).toEqual([[0, 3], [5, 6]])
    expect(add([[0, 1]], [0.5, 4])).toEqual([[0, 4]])
  })
})
