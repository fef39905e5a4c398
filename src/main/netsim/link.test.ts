// The link's timing on a fake clock: latency, jitter without reordering, bandwidth, tail drop, close last.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LinkConditions } from './conditions'
import { Link, type CloseRequest } from './link'
import { SeededRandom } from '../../shared/random'

interface Delivery {
  id: number
  at: number
}

function rig(seed = 1) {
  const delivered: Delivery[] = []
  const closes: { request: CloseRequest; at: number }[] = []
  const link = new Link<number>(
    new SeededRandom(seed),
    (parcel, now) => delivered.push({ id: parcel.payload, at: now }),
    (request) => closes.push({ request, at: performance.now() })
  )
  const send = (id: number, conditions: Partial<LinkConditions>, bytes = 100, extra: { droppable?: boolean; maxQueueMs?: number; enabled?: boolean } = {}) =>
    link.send(
      { payload: id, bytes, arrivedMs: performance.now() },
      { conditions: { latency_ms: 0, jitter_ms: 0, bandwidth_bytes_per_s: null, ...conditions }, enabled: extra.enabled ?? true, maxQueueMs: extra.maxQueueMs ?? 2000, droppable: extra.droppable ?? true }
    )
  return { link, delivered, closes, send }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('link timing', () => {
  it('delivers at once on a perfect link, and after the latency otherwise', () => {
    const { delivered, send } = rig()
    send(1, {})
    expect(delivered).toEqual([{ id: 1, at: 0 }])
    send(2, { latency_ms: 40 })
    vi.advanceTimersByTime(39)
    expect(delivered).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(delivered[1]).toEqual({ id: 2, at: 40 })
  })

  it('spreads delays over latency ± jitter but never delivers a message before an earlier one', () => {
    const { delivered, send } = rig(7)
    for (let i = 0; i < 500; i++) {
      send(i, { latency_ms: 50, jitter_ms: 40 })
      vi.advanceTimersByTime(1)
    }
    vi.advanceTimersByTime(200)
    expect(delivered.map((d) => d.id)).toEqual(Array.from({ length: 500 }, (_, i) => i))
    const delays = delivered.map((d) => d.at - d.id)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10)
    expect(Math.max(...delays)).toBeLessThanOrEqual(91)
    // Without the ordering rule about half the messages would arrive early; with it, delays still vary.
    expect(new Set(delays.map((d) => Math.round(d))).size).toBeGreaterThan(20)
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]!.at).toBeGreaterThanOrEqual(delivered[i - 1]!.at)
  })

  it('sends one message after another at the bandwidth: 10 x 1000 bytes at 10 kB/s take a second', () => {
    const { delivered, send } = rig()
    for (let i = 0; i < 10; i++) send(i, { bandwidth_bytes_per_s: 10_000, latency_ms: 5 }, 1000, { droppable: false })
    vi.advanceTimersByTime(2000)
    expect(delivered.map((d) => d.at)).toEqual([105, 205, 305, 405, 505, 605, 705, 805, 905, 1005])
  })

  it('tail-drops droppable messages over max_queue_ms of backlog, and queues the others anyway', () => {
    const { delivered, send } = rig()
    const outcomes = Array.from({ length: 10 }, (_, i) => send(i, { bandwidth_bytes_per_s: 1000 }, 100, { maxQueueMs: 250 }))
    // 100 ms each: the 4th arrives with 300 ms queued ahead of it.
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'overflow', 'overflow', 'overflow', 'overflow', 'overflow', 'overflow', 'overflow'])
    expect(send(99, { bandwidth_bytes_per_s: 1000 }, 100, { maxQueueMs: 250, droppable: false })).toBe('queued')
    vi.advanceTimersByTime(1000)
    expect(delivered.map((d) => d.id)).toEqual([0, 1, 2, 99])
  })

  it('disabled conditions pass straight through, but behind what is already queued', () => {
    const { delivered, send } = rig()
    send(1, { latency_ms: 100 })
    send(2, { latency_ms: 100 }, 100, { enabled: false })
    expect(delivered).toEqual([])
    vi.advanceTimersByTime(100)
    expect(delivered.map((d) => d.id)).toEqual([1, 2])
    send(3, { latency_ms: 100 }, 100, { enabled: false })
    expect(delivered.map((d) => d.id)).toEqual([1, 2, 3])
  })

  it('closes after everything queued, and discarding returns what never arrived', () => {
    const a = rig()
    a.send(1, { latency_ms: 100 })
    a.link.closeAfterQueued({ code: 4000, reason: 'done' }, { latency_ms: 10, jitter_ms: 0, bandwidth_bytes_per_s: null }, true)
    vi.advanceTimersByTime(150)
    expect(a.delivered.map((d) => d.id)).toEqual([1])
    expect(a.closes).toEqual([{ request: { code: 4000, reason: 'done' }, at: 100 }])

    const b = rig()
    b.send(1, { latency_ms: 100 })
    b.send(2, { latency_ms: 100 })
    expect(b.link.pending).toBe(2)
    expect(b.link.discard().map((p) => p.payload)).toEqual([1, 2])
    vi.advanceTimersByTime(200)
    expect(b.delivered).toEqual([])
  })

  it('waits beyond the timer range (a huge message on a slow link) in steps the timer can take, and still delivers on time', () => {
    const { delivered, send } = rig()
    const timeout = vi.spyOn(globalThis, 'setTimeout')
    // 3e9 bytes at 1000 B/s: due in 3e9 ms, past setTimeout's 2^31 - 1 ms.
    send(1, { bandwidth_bytes_per_s: 1000 }, 3e9, { droppable: false })
    // Checked before any time passes: an overflowing timer fires at once, again and again.
    expect(timeout.mock.calls.map(([, ms]) => ms)).toEqual([2 ** 31 - 1])
    vi.advanceTimersByTime(2 ** 31)
    expect(delivered).toEqual([])
    vi.advanceTimersByTime(3e9 - 2 ** 31)
    expect(delivered).toEqual([{ id: 1, at: 3e9 }])
    expect(timeout.mock.calls.length).toBeGreaterThanOrEqual(2)
    for (const [, ms] of timeout.mock.calls) expect(ms).toBeLessThanOrEqual(2 ** 31 - 1)
    timeout.mockRestore()
  })
})

