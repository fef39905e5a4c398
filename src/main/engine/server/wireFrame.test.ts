import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, startEngine, type Engine } from './testing'
import { PING_FRAME, wireFrame } from './wireFrame'

/** ws's own framing, what ws.send writes per client (its Sender is exported at run time, not typed). */
type Frame = (data: Buffer | string, options: Record<string, unknown>) => Buffer[]
const wsFrame = (payload: Buffer | string): Buffer => {
  const { frame } = (createRequire(__filename)('ws') as { Sender: { frame: Frame } }).Sender
  const parts = frame(typeof payload === 'string' ? Buffer.from(payload) : payload, { fin: true, rsv1: false, opcode: typeof payload === 'string' ? 1 : 2, mask: false, readOnly: false })
  return Buffer.concat(parts)
}

describe('prebuilt telemetry frames', () => {
  it('are byte for byte what ws frames per client, at every length form (7-, 16- and 64-bit)', () => {
    for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70_001]) {
      const binary = Buffer.alloc(length, 0xab)
      expect(wireFrame(binary).equals(wsFrame(binary)), `binary, ${length} bytes`).toBe(true)
      // Multi-byte UTF-8: the length is in bytes, not characters.
      const text = 'é'.repeat(Math.floor(length / 2)) + (length % 2 ? 'x' : '')
      expect(wireFrame(text).equals(wsFrame(text)), `text, ${length} bytes`).toBe(true)
    }
  })

  it('include a ping that is byte for byte what ws writes for ping()', () => {
    const { frame } = (createRequire(__filename)('ws') as { Sender: { frame: Frame } }).Sender
    expect(PING_FRAME.equals(Buffer.concat(frame(Buffer.alloc(0), { fin: true, rsv1: false, opcode: 0x9, mask: false, readOnly: false })))).toBe(true)
  })

  describe('on the wire, among ws replies and pings', () => {
    // 9,000 signals: a HERT frame over 64 KiB (64-bit length) and a JSON frame over 125 bytes (16-bit).
    const SIGNALS = 9000
    let e: Engine
    beforeAll(async () => {
      const list = Array.from({ length: SIGNALS }, (_, i) => `      - { name: s${i} }`).join('\n')
      e = await startEngine(`modules:\n  bulk:\n    type: inproc\n    model: injection\n    signals:\n${list}\nexecution: { mode: realtime, rate_hz: 100 }\nserver: { telemetry_hz: 50, keepalive_s: 0.05 }\n`)
    }, 60_000)
    afterAll(() => e?.stop())

    it('clients with the same subscription get identical frames that decode, and replies in between stay whole', async () => {
      const [a, b, j] = await Promise.all([RawClient.open(e.url), RawClient.open(e.url), RawClient.open(e.url)])
      for (const c of [a, b, j]) await c.json(30_000)
      a.send({ action: 'subscribe', params: { signals: ['*'] } })
      b.send({ action: 'subscribe', params: { signals: ['*'] } })
      j.send({ action: 'subscribe', params: { signals: ['*'], encoding: 'json' } })
      for (const c of [a, b, j]) expect((await c.json(30_000)).count).toBe(SIGNALS)
      const seen = new Map<bigint, number[]>()
      let common = 0
      for (let i = 0; i < 6; i++) {
        // A reply between frames: ws's own frames and the prebuilt ones share the socket.
        a.send({ action: 'status' })
        expect((await a.json(30_000)).type).toBe('status')
        const fa = await a.frame(30_000)
        expect(fa.values.length).toBe(SIGNALS)
        seen.set(fa.frame, Array.from(fa.values))
      }
      for (let i = 0; i < 6; i++) {
        const fb = await b.frame(30_000)
        expect(fb.values.length).toBe(SIGNALS)
        const values = seen.get(fb.frame)
        if (values) {
          common++
          expect(Array.from(fb.values)).toEqual(values)
        }
      }
      expect(common).toBeGreaterThan(0)
      const t = await j.json(30_000)
      expect(t.type).toBe('telemetry')
      expect((t.values as unknown[]).length).toBe(SIGNALS)
      for (const c of [a, b, j]) expect(c.closeCode).toBeNull()
      await Promise.all([a.close(), b.close(), j.close()])
    }, 60_000)
  })
})
