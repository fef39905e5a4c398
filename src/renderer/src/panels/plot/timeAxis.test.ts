import { describe, expect, it } from 'vitest'
import { tickLabel, tickTimes, timeTicks } from './timeAxis'

describe('time axis ticks', () => {
  it('picks the smallest step of 1, 2 or 5 times a power of ten whose labels are 80 px apart', () => {
    // 10 s over 800 px: 1 s is 80 px.
    expect(timeTicks(10, 800)).toEqual({ step: 1, decimals: 0 })
    // 10 s over 500 px: 1 s is 50 px, 2 s is 100 px.
    expect(timeTicks(10, 500)).toEqual({ step: 2, decimals: 0 })
    expect(timeTicks(600, 1200)).toEqual({ step: 50, decimals: 0 })
    expect(timeTicks(0.5, 1000)).toEqual({ step: 0.05, decimals: 2 })
    expect(timeTicks(0.1, 1000)).toEqual({ step: 0.01, decimals: 2 })
  })

  it('falls back to a step of one second for an empty or broken span', () => {
    expect(timeTicks(0, 800).step).toBe(1)
    expect(timeTicks(Number.NaN, 800).step).toBe(1)
  })

  it('puts ticks at multiples of the step, so a sliding window keeps them', () => {
    expect(tickTimes(0.5, 4.5, 1)).toEqual([1, 2, 3, 4])
    expect(tickTimes(-2, 2, 2)).toEqual([-2, 0, 2])
    const a = tickTimes(10.3, 20.3, 2)
    const b = tickTimes(10.9, 20.9, 2)
    expect(a).toEqual([12, 14, 16, 18, 20])
    expect(b).toEqual(a)
    expect(tickTimes(5, 1, 1)).toEqual([])
    expect(tickTimes(0, 1, 0)).toEqual([])
  })

  it('labels without float noise or a negative zero', () => {
    expect(tickLabel(0.1 + 0.2, 1)).toBe('0.3')
    expect(tickLabel(-0.0001, 2)).toBe('0.00')
    expect(tickLabel(-1e-12, 0)).toBe('0')
    expect(tickLabel(-2, 0)).toBe('-2')
  })
})
