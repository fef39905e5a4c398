import { describe, expect, it } from 'vitest'
import { History } from '../../telemetry/history'
import { fillTrail, fitView, nearestSample, panView, sampleAtTime, TrailBuffers, trailBounds, trailRange, zoomView } from './trail'

/** A history of x = t, y = 10 t, z = -t sampled every 0.5 s from 0 to (n - 1) / 2. */
function history(n: number, capacity = 100): History {
  const h = new History(['x', 'y', 'z'], capacity)
  for (let i = 0; i < n; i++) h.append(i / 2, [i / 2, i * 5, -i / 2])
  return h
}

const times = (out: TrailBuffers): number[] => Array.from(out.t.subarray(0, out.length))

describe('the XY trail window', () => {
  it('holds the samples whose time is inside the window, both ends included, oldest first', () => {
    const h = history(21) // 0 .. 10 s
    expect(trailRange(h, 2, 4)).toEqual([4, 9])
    const out = new TrailBuffers(100, 2)
    fillTrail(h, [[0, 1], [0, 2]], 2, 4, out)
    expect(times(out)).toEqual([2, 2.5, 3, 3.5, 4])
    expect(Array.from(out.xs[0]!.subarray(0, out.length))).toEqual([2, 2.5, 3, 3.5, 4])
    expect(Array.from(out.ys[0]!.subarray(0, out.length))).toEqual([20, 25, 30, 35, 40])
    expect(Array.from(out.ys[1]!.subarray(0, out.length))).toEqual([-2, -2.5, -3, -3.5, -4])
  })

  it('is empty before the data, after it, and for an empty history', () => {
    const out = new TrailBuffers(10, 1)
    fillTrail(history(21), [[0, 1]], 20, 30, out)
    expect(out.length).toBe(0)
    fillTrail(history(21), [[0, 1]], -5, -1, out)
    expect(out.length).toBe(0)
    fillTrail(history(0), [[0, 1]], 0, 10, out)
    expect(out.length).toBe(0)
  })

  it('follows the ring: only samples still in the history, even when the window reaches back further', () => {
    const h = history(30, 10) // keeps 10 .. 14.5 s
    const out = new TrailBuffers(100, 1)
    fillTrail(h, [[0, 1]], 0, 100, out)
    expect(times(out)).toEqual([10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5])
  })

  it('thins a long window by whole strides and always keeps the newest sample', () => {
    const h = history(100, 200) // 0 .. 49.5 s
    const out = new TrailBuffers(10, 1)
    fillTrail(h, [[0, 1]], 0, 49.5, out)
    expect(out.length).toBeLessThanOrEqual(10)
    const t = times(out)
    expect(t[t.length - 1]).toBe(49.5)
    const steps = new Set(t.slice(1).map((v, i) => v - t[i]!))
    expect(steps).toEqual(new Set([5]))
  })

  it('gives NaN for a signal the history does not hold, and bounds skip it', () => {
    const out = new TrailBuffers(10, 2)
    fillTrail(history(5), [[0, 1], [-1, 2]], 0, 10, out)
    expect(Array.from(out.xs[1]!.subarray(0, out.length)).every(Number.isNaN)).toBe(true)
    expect(trailBounds(out)).toEqual({ xMin: 0, xMax: 2, yMin: 0, yMax: 20 })
  })

  it('finds the sample nearest a time and nearest a point', () => {
    const out = new TrailBuffers(100, 1)
    fillTrail(history(21), [[0, 1]], 0, 10, out)
    expect(out.t[sampleAtTime(out, 3.2)]).toBe(3)
    expect(out.t[sampleAtTime(out, 3.3)]).toBe(3.5)
    expect(out.t[sampleAtTime(out, 99)]).toBe(10)
    // A 100 x 100 px area showing x 0..10 and y 0..100: the point (5, 50) is at (50, 50) px.
    const view = { xMin: 0, xMax: 10, yMin: 0, yMax: 100 }
    expect(out.t[nearestSample(out, 51, 49, view, 100, 100, 5)]).toBe(5)
    expect(nearestSample(out, 90, 90, view, 100, 100, 5)).toBe(-1)
  })
})

describe('the XY view', () => {
  it('fits the data with a margin, and a single point gets a band', () => {
    const v = fitView({ xMin: 0, xMax: 10, yMin: 0, yMax: 2 }, 200, 100, false)
    expect(v.xMin).toBeCloseTo(-0.5)
    expect(v.xMax).toBeCloseTo(10.5)
    expect(v.yMin).toBeCloseTo(-0.1)
    const p = fitView({ xMin: 3, xMax: 3, yMin: 0, yMax: 0 }, 200, 100, false)
    expect(p.xMax - p.xMin).toBeGreaterThan(0)
    expect(p.yMax - p.yMin).toBeGreaterThan(0)
  })

  it('with equal aspect, one unit spans the same pixels on both axes and the data stays inside', () => {
    const b = { xMin: 0, xMax: 10, yMin: 0, yMax: 2 }
    const v = fitView(b, 300, 300, true)
    expect((v.xMax - v.xMin) / 300).toBeCloseTo((v.yMax - v.yMin) / 300)
    expect(v.yMin).toBeLessThanOrEqual(0)
    expect(v.yMax).toBeGreaterThanOrEqual(2)
    const wide = fitView({ xMin: 0, xMax: 1, yMin: 0, yMax: 10 }, 400, 100, true)
    expect((wide.xMax - wide.xMin) / 400).toBeCloseTo((wide.yMax - wide.yMin) / 100)
    expect(wide.xMin).toBeLessThanOrEqual(0)
    expect(wide.xMax).toBeGreaterThanOrEqual(1)
  })

  it('zooms about a point and pans', () => {
    const v = { xMin: 0, xMax: 10, yMin: 0, yMax: 10 }
    expect(zoomView(v, 5, 5, 0.5)).toEqual({ xMin: 2.5, xMax: 7.5, yMin: 2.5, yMax: 7.5 })
    expect(zoomView(v, 0, 0, 2)).toEqual({ xMin: 0, xMax: 20, yMin: 0, yMax: 20 })
    expect(panView(v, 1, -1)).toEqual({ xMin: 1, xMax: 11, yMin: -1, yMax: 9 })
  })
})
