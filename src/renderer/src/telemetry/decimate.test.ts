import { describe, expect, it } from 'vitest'
import { decimateWindow, seriesStats, WindowBuffers } from './decimate'
import { History } from './history'

function ramp(n: number, f: (i: number) => number): History {
  const h = new History(['y'], n)
  for (let i = 0; i < n; i++) h.append(i, [f(i)])
  return h
}

describe('decimateWindow', () => {
  it('copies every sample when they fit, with one sample beyond each edge', () => {
    const h = ramp(100, (i) => i * 2)
    const out = new WindowBuffers(50, 1)
    decimateWindow(h, [0], 10, 20, out)
    expect(out.length).toBe(13)
    expect(out.x[0]).toBe(9)
    expect(out.x[12]).toBe(21)
    expect(out.ys[0]![1]).toBe(20)
  })

  it('keeps a one-sample spike through decimation', () => {
    const h = ramp(10_000, (i) => (i === 5_003 ? 1000 : Math.sin(i / 100)))
    const out = new WindowBuffers(100, 1)
    decimateWindow(h, [0], 0, 9_999, out)
    expect(out.length).toBeLessThanOrEqual(2 * 100 + 4)
    expect(Math.max(...out.ys[0]!.subarray(0, out.length))).toBe(1000)
  })

  it('keeps minimum and maximum of every bucket in the order they occurred', () => {
    // Within each bucket the value falls: the maximum comes first.
    const h = ramp(1000, (i) => 9 - (i % 10))
    const out = new WindowBuffers(100, 1)
    decimateWindow(h, [0], 0, 999.999, out)
    const y = out.ys[0]!
    for (let k = 2; k + 1 < out.length - 2; k += 2) {
      expect(y[k]).toBe(9)
      expect(y[k + 1]).toBe(0)
    }
    // x stays ascending, so uPlot can draw it.
    for (let k = 1; k < out.length; k++) expect(out.x[k]).toBeGreaterThanOrEqual(out.x[k - 1]!)
  })

  it('computes min, max and mean over the window only, ignoring NaN (what the legend shows)', () => {
    const h = ramp(100, (i) => (i === 15 ? NaN : i))
    const out = new WindowBuffers(10, 2)
    decimateWindow(h, [0, -1], 10, 19, out)
    const [from, to] = [h.lowerBound(10), h.upperBound(19)]
    expect(seriesStats(h, 0, from, to)).toEqual({ min: 10, max: 19, mean: (10 + 11 + 12 + 13 + 14 + 16 + 17 + 18 + 19) / 9, count: 9 })
    expect(seriesStats(h, -1, from, to).count).toBe(0)
    expect(out.ys[1]![0]).toBeNaN()
  })

  it('returns nothing for an empty history or a window beyond it', () => {
    const out = new WindowBuffers(10, 1)
    decimateWindow(new History(['y'], 10), [0], 0, 1, out)
    expect(out.length).toBe(0)
  })
})
