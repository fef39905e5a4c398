import { describe, expect, it } from 'vitest'
import { isoTime } from './isoTime'

describe('isoTime', () => {
  it('writes what Date.prototype.toISOString writes, from 1970 to 9999', () => {
    // Epoch and its neighbours, a leap day, now-ish, the last millisecond of 9999, and 500 spread over the range.
    const times = [0, 1, -1, 999, 1000, 59_999, Date.UTC(2000, 1, 29, 12), 1_796_281_445_123, Date.UTC(9999, 11, 31, 23, 59, 59, 999)]
    const last = Date.UTC(9999, 11, 31)
    for (let i = 0; i < 500; i++) times.push(Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * last) + (i % 1000))
    for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString())
  })
  it('refuses a year that ISO 8601 writes with a sign', () => {
    expect(() => isoTime(Date.UTC(10000, 0, 1))).toThrow('isoTime: year 10000 is outside 0000-9999')
  })
})
