import { describe, expect, it } from 'vitest'
import type { HistoryMessage } from '../../../shared/protocol/messages'
import { History } from '../telemetry/history'
import { findHoles, holeSpan } from './holes'
import { mergeRows, rowsOf } from './merge'

const HZ = 10
const HOLE = holeSpan(HZ)

/** Live samples every 1/HZ s over [from, to), a = 10 t, b = -t; time as the frame clock makes it. */
function live(signals: string[], from: number, to: number, capacity = 1000): History {
  const h = new History(signals, capacity)
  for (let f = Math.round(from * HZ); f < Math.round(to * HZ); f++) h.append(f / HZ, signals.map((s) => (s === 'b' ? -f / HZ : (10 * f) / HZ)))
  return h
}

/** A full reply over frames [from, to] at `rate` frames per second. */
function full(signals: string[], from: number, to: number, rate: number): HistoryMessage {
  const time: number[] = []
  for (let f = Math.round(from * rate); f <= Math.round(to * rate); f++) time.push(f / rate)
  return { type: 'history', from, to, mode: 'full', signals, frames: time.length, time, values: Object.fromEntries(signals.map((s) => [s, time.map((t) => (s === 'b' ? -t : 10 * t))])) }
}

const times = (h: History): number[] => Array.from({ length: h.length }, (_, k) => h.timeAt(k))
const column = (h: History, c: number): number[] => Array.from({ length: h.length }, (_, k) => h.valueAt(c, k))

describe('merging fetched history with live data', () => {
  it('fills the time before the console connected, in order, with no frame twice', () => {
    const h = live(['a', 'b'], 3, 5)
    const { history, inserted } = mergeRows(h, rowsOf(full(['a', 'b'], 0, 4, HZ)), { holeS: HOLE })
    // Frames 0..29 were missing; 30..40 are held already and are not added again.
    expect(inserted).toBe(30)
    const t = times(history)
    expect(t).toHaveLength(50)
    expect(new Set(t).size).toBe(t.length)
    expect(t).toEqual([...t].sort((x, y) => x - y))
    expect(t[0]).toBe(0)
    expect(column(history, 0)[0]).toBe(0)
    expect(column(history, 1)[12]).toBeCloseTo(-1.2)
    expect(findHoles(history, 0, 0, 4.9, HOLE)).toEqual([])
  })

  it('fills a link cut in the middle, at the simulation rate, and nothing around it', () => {
    const h = new History(['a'], 1000)
    for (let f = 0; f < 20; f++) h.append(f / HZ, [f])
    for (let f = 50; f < 60; f++) h.append(f / HZ, [f])
    expect(findHoles(h, 0, 0, 5.9, HOLE)).toEqual([[1.9, 5]])
    // The recording runs at 100 Hz: ten rows for each held one, across the whole range.
    const { history, inserted } = mergeRows(h, rowsOf(full(['a'], 0, 5.9, 100)), { holeS: HOLE })
    expect(inserted).toBe(309)
    expect(findHoles(history, 0, 0, 5.9, HOLE)).toEqual([])
    const t = times(history)
    expect(new Set(t).size).toBe(t.length)
    expect(t).toEqual([...t].sort((x, y) => x - y))
    // The held samples are kept as they were.
    expect(history.valueAt(0, 0)).toBe(0)
    expect(history.valueAt(0, history.length - 1)).toBe(59)
  })

  it('merging the same reply twice adds nothing the second time', () => {
    const h = live(['a'], 3, 5)
    const reply = rowsOf(full(['a'], 0, 4, HZ))
    const once = mergeRows(h, reply, { holeS: HOLE }).history
    const twice = mergeRows(once, reply, { holeS: HOLE })
    expect(twice.inserted).toBe(0)
    expect(twice.history).toBe(once)
    expect(once.length).toBe(50)
  })

  it('never adds rows newer than the newest live frame', () => {
    const h = live(['a'], 0, 1)
    const { history } = mergeRows(h, rowsOf(full(['a'], 0.5, 3, HZ)), { holeS: HOLE, newest: 0.9 })
    expect(history.lastTime).toBe(0.9)
    expect(history.length).toBe(10)
  })

  it('gives a signal plotted late its past where it has no values, and computes derived columns', () => {
    // Column b was subscribed at t = 2: NaN before; column s = a + b is derived.
    const h = new History(['a', 'b', 's'], 1000)
    for (let f = 0; f < 40; f++) h.append(f / HZ, [f, f >= 20 ? -f / HZ : NaN, NaN])
    const derive = (row: Float64Array): void => {
      row[2] = row[0]! + row[1]!
    }
    const { history, filled, inserted } = mergeRows(h, rowsOf(full(['b'], 0, 2, 50)), { holeS: HOLE, derive })
    expect(inserted).toBe(0)
    expect(filled).toBe(20)
    expect(history.startedLate(1)).toBeNull()
    expect(history.valueAt(1, 5)).toBeCloseTo(-0.5)
    expect(history.valueAt(2, 5)).toBeCloseTo(5 - 0.5)
  })

  it('a min/max reply keeps a one-frame spike: the envelope is drawn through each bucket', () => {
    const reply: HistoryMessage = {
      type: 'history',
      from: 0,
      to: 4,
      mode: 'minmax',
      signals: ['a'],
      frames: 4000,
      time: [0, 1, 2, 3],
      min: { a: [0, -1, null, 2] },
      max: { a: [1, 99, null, 3] }
    }
    const rows = rowsOf(reply)
    // The empty bucket (a pause) makes no rows.
    expect(Array.from(rows.times)).toEqual([0, 0.5, 1, 1.5, 3, 3.5])
    expect(Array.from(rows.values.get('a')!)).toEqual([0, 1, -1, 99, 2, 3])
    const { history } = mergeRows(live(['a'], 5, 6), rows, { holeS: HOLE })
    expect(Math.max(...column(history, 0).slice(0, 6))).toBe(99)
  })

  it('past the capacity the oldest fall out, as in live running', () => {
    const h = live(['a'], 3, 5, 25)
    const { history } = mergeRows(h, rowsOf(full(['a'], 0, 3, HZ)), { holeS: HOLE })
    expect(history.length).toBe(25)
    expect(history.lastTime).toBe(4.9)
    expect(times(history)).toEqual([...times(history)].sort((x, y) => x - y))
  })
})
