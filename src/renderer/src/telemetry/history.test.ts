import { describe, expect, it } from 'vitest'
import { History } from './history'

describe('History', () => {
  it('keeps the newest samples up to its capacity, oldest first', () => {
    const h = new History(['a', 'b'], 4)
    for (let i = 0; i < 6; i++) h.append(i * 0.1, [i, -i])
    expect(h.length).toBe(4)
    expect(Array.from({ length: 4 }, (_, k) => h.timeAt(k))).toEqual([0.2, 0.30000000000000004, 0.4, 0.5])
    expect(Array.from({ length: 4 }, (_, k) => h.valueAt(1, k))).toEqual([-2, -3, -4, -5])
    expect(h.firstTime).toBe(0.2)
    expect(h.lastTime).toBe(0.5)
  })

  it('allocates nothing per append: memory is fixed by the capacity', () => {
    const h = new History(['a'], 1000)
    for (let i = 0; i < 100_000; i++) h.append(i, [i])
    expect(h.length).toBe(1000)
    expect(h.valueAt(0, 0)).toBe(99_000)
  })

  it('finds samples by time, and the value nearest a time', () => {
    const h = new History(['a'], 10)
    for (let i = 0; i < 5; i++) h.append(i, [i * 10])
    expect(h.lowerBound(2)).toBe(2)
    expect(h.lowerBound(2.5)).toBe(3)
    expect(h.lowerBound(-1)).toBe(0)
    expect(h.lowerBound(99)).toBe(5)
    expect(h.valueNear(0, 2.4)).toBe(20)
    expect(h.valueNear(0, 2.6)).toBe(30)
    expect(h.valueNear(0, 99)).toBe(40)
    expect(h.valueNear(-1, 1)).toBeNaN()
  })

  it('clears, and bumps its version on every change', () => {
    const h = new History(['a'], 3)
    const v0 = h.version
    h.append(1, [1])
    expect(h.version).toBe(v0 + 1)
    h.clear()
    expect(h.length).toBe(0)
    expect(h.firstTime).toBeNaN()
    expect(h.version).toBe(v0 + 2)
  })

  it('counts edits apart from appends: what a view drew of older samples stays valid only between edits', () => {
    const h = new History(['a'], 3)
    for (let i = 0; i < 5; i++) h.append(i, [i])
    expect(h.edits).toBe(0)
    h.replaceLast([9])
    expect(h.edits).toBe(1)
    // The same frame again with the same values is no change at all.
    const version = h.version
    h.replaceLast([9])
    expect(h.edits).toBe(1)
    expect(h.version).toBe(version)
    h.clear()
    expect(h.edits).toBe(2)
    h.append(0, [0])
    expect(h.edits).toBe(2)
  })
})
