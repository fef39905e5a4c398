import { describe, expect, it } from 'vitest'
import { holdRange, roundStep } from './yRange'

describe('held y ranges', () => {
  it('rounds steps to 1, 2 or 5 times a power of ten', () => {
    expect([0.3, 1, 1.5, 3, 7, 12, 0.0042].map(roundStep)).toEqual([0.5, 1, 2, 5, 10, 20, 0.005])
  })

  it('pads data and rounds out to a step, so the range contains the data with a margin', () => {
    const [lo, hi] = holdRange(null, -0.93, 2.71)
    expect(lo).toBeLessThan(-0.93)
    expect(hi).toBeGreaterThan(2.71)
    expect([lo, hi]).toEqual([-1.5, 3])
  })

  it('keeps the range while the data stays inside and fills at least half of it', () => {
    const held = holdRange(null, 0, 10)
    expect(held).toEqual([-2, 12])
    expect(holdRange(held, 1, 9)).toEqual(held)
    expect(holdRange(held, -2, 12)).toEqual(held)
    expect(holdRange(held, 2, 7.5)).not.toEqual(held)
  })

  it('sets it again when the data leaves it, or shrinks to less than half', () => {
    const held = holdRange(null, 0, 10)
    expect(holdRange(held, 0, 12)[1]).toBeGreaterThanOrEqual(12)
    expect(holdRange(held, -3, 5)[0]).toBeLessThanOrEqual(-3)
    const shrunk = holdRange(held, 4, 5)
    expect(shrunk[1] - shrunk[0]).toBeLessThan(2)
  })

  it('gives a flat line a band around it, and no data a default or the held range', () => {
    const [lo, hi] = holdRange(null, 3, 3)
    expect(lo).toBeLessThan(3)
    expect(hi).toBeGreaterThan(3)
    expect(holdRange(null, Infinity, -Infinity)).toEqual([-1, 1])
    expect(holdRange([2, 4], Infinity, -Infinity)).toEqual([2, 4])
    expect(holdRange(null, NaN, NaN)).toEqual([-1, 1])
  })
})
