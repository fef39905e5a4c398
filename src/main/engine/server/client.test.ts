import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ClientConnection } from './client'
import { TokenBucket } from './rateLimit'
import { EncodedFrame, type Subscription } from './subscription'
import { PING_FRAME } from './wireFrame'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }

function client(): ClientConnection {
  const c = new ClientConnection({} as never, 1, 'test', { bucket: new TokenBucket(1, 1), maxBacklogBytes: 1, log: quiet as never })
  c.subscribe({} as Subscription, null)
  return c
}

/** How many of `ticks` ticks at `tickHz` a schedule takes (time is simulated: no clock involved). */
function taken(due: (nowMs: number, tickMs: number) => boolean, tickHz: number, ticks: number, jitterMs = 0): number {
  const tickMs = 1000 / tickHz
  let count = 0
  for (let i = 1; i <= ticks; i++) if (due(i * tickMs + (i % 2 ? jitterMs : -jitterMs), tickMs)) count++
  return count
}

describe('per-client rates (subscribe rate_hz, subscribe_status)', () => {
  it('thins a 60 Hz tick to the client rate over simulated time, with tick jitter', () => {
    const c = client()
    c.subscribe({} as Subscription, 10)
    // 60 s of ticks at 60 Hz: 600 frames at 10 Hz, give or take one.
    expect(Math.abs(taken((n, t) => c.telemetryDue(n, t), 60, 3600, 3) - 600)).toBeLessThanOrEqual(1)
    c.statusRateHz = 5
    expect(Math.abs(taken((n, t) => c.statusDue(n, t), 60, 3600, 3) - 300)).toBeLessThanOrEqual(1)
  })

  it('takes every tick at the tick rate or without a rate, and none without a subscription', () => {
    const c = client()
    expect(taken((n, t) => c.telemetryDue(n, t), 60, 600, 3)).toBe(600)
    c.subscribe({} as Subscription, 60)
    expect(taken((n, t) => c.telemetryDue(n, t), 60, 600, 3)).toBe(600)
    c.subscription = null
    expect(taken((n, t) => c.telemetryDue(n, t), 60, 600)).toBe(0)
    expect(taken((n, t) => c.statusDue(n, t), 60, 600)).toBe(0)
  })
})

describe('TokenBucket', () => {
  it('passes a full burst, refuses exactly the next one, and refills at its rate', () => {
    let now = 0
    const bucket = new TokenBucket(500, 1000, () => now)
    for (let i = 0; i < 1000; i++) expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
    now += 10
    // 10 ms at 500 per second: 5 tokens.
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
    now += 1_000_000
    for (let i = 0; i < 1000; i++) expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
  })
})

describe('a telemetry frame and its lag probe', () => {
  /** A connection whose TCP socket records each system-call-sized write (one per uncorked flush). */
  function wired(): { c: ClientConnection; writes: string[][] } {
    const writes: string[][] = []
    const wire = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push([chunk.toString()])
        done()
      },
      writev(chunks, done) {
        writes.push(chunks.map((c) => (c.chunk as Buffer).toString()))
        done()
      }
    })
    // A ping through ws (the path without a wire) would show up as its own write.
    const ws = { readyState: WebSocket.OPEN, bufferedAmount: 0, ping: () => wire.write(Buffer.from('ws ping')) }
    const c = new ClientConnection(ws as never, 1, 'test', { bucket: new TokenBucket(1, 1), maxBacklogBytes: 1 << 20, log: quiet as never, wire })
    return { c, writes }
  }
  const frame = new EncodedFrame(Buffer.from('payload'), Buffer.from('frame'))

  const ping = PING_FRAME.toString()

  it('go out in one write, the frame first, when a ping is due; the frame alone when not', () => {
    const { c, writes } = wired()
    expect(c.sendFrame(frame, 1000, 12.5)).toBe(true)
    expect(writes).toEqual([['frame' + ping]])
    // The ping is still unanswered: the next frame goes alone.
    expect(c.sendFrame(frame, 1016, 12.5)).toBe(true)
    expect(writes).toEqual([['frame' + ping], ['frame']])
    // Answered, and the interval has passed: the next frame takes a ping again.
    c.onPong()
    expect(c.sendFrame(frame, 1032, 12.5)).toBe(true)
    expect(writes).toEqual([['frame' + ping], ['frame'], ['frame' + ping]])
  })
})
