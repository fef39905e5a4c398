import { connect as tcpConnect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { HermesClient } from '../../../shared/client/hermesClient'
import { parseConfig } from '../config/load'
import { configError } from '../config/testing'
import { CLOSE_NO_PONG } from './client'
import { RawClient, startEngine, until, type Engine } from './testing'

let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

async function engine(yaml: string): Promise<Engine> {
  const e = await startEngine(yaml)
  engines.push(e)
  return e
}

const ONE_SIGNAL = `
modules:
  v: { type: inproc, model: injection, signals: [{ name: a }] }
execution: { mode: realtime, rate_hz: 200 }
`

/** A WebSocket peer made by hand: it completes the handshake, reads everything, and never answers a ping. */
class DeafPeer {
  readonly socket: Socket
  pings = 0
  closeCode: number | null = null
  private data = Buffer.alloc(0)
  private upgraded = false
  readonly closed: Promise<void>

  constructor(url: string) {
    const { hostname, port } = new URL(url)
    this.socket = tcpConnect(Number(port), hostname)
    const key = randomBytes(16).toString('base64')
    this.socket.write(
      `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
    )
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()))
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', () => undefined)
  }

  private onData(chunk: Buffer): void {
    this.data = Buffer.concat([this.data, chunk])
    if (!this.upgraded) {
      const end = this.data.indexOf('\r\n\r\n')
      if (end < 0) return
      if (!this.data.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) throw new Error('the upgrade was refused')
      this.upgraded = true
      this.data = this.data.subarray(end + 4)
    }
    // Server frames are unmasked: opcode, length (7 bits, or 16 bits after 126), payload.
    for (;;) {
      if (this.data.length < 2) return
      const opcode = this.data[0]! & 0x0f
      let length = this.data[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (this.data.length < 4) return
        length = this.data.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (this.data.length < 10) return
        length = Number(this.data.readBigUInt64BE(2))
        offset = 10
      }
      if (this.data.length < offset + length) return
      const payload = this.data.subarray(offset, offset + length)
      if (opcode === 0x9) this.pings++
      if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005
      this.data = this.data.subarray(offset + length)
    }
  }
}

describe('fresh frames for a client that falls behind', () => {
  it('a client that stops reading is sent nothing stale once it resumes: the newest frame, with its skips counted', async () => {
    const e = await engine(`${ONE_SIGNAL}server: { telemetry_hz: 200 }\n`)
    const reader = await RawClient.open(e.url)
    const watcher = await HermesClient.connect(e.url, { WebSocket: WebSocket as never })
    await reader.json()
    reader.send({ action: 'subscribe', params: { signals: ['*'] } })
    await reader.json()
    await reader.frame()
    // Stop reading. Its frames are small: the kernel's buffers would take minutes of them, and the
    // server's own backlog (bufferedAmount) would never see a thing.
    reader.received.length = 0
    reader.socket.pause()
    await until(async () => (await watcher.status()).skipped_frames_total >= 100, 'frames to be skipped for the paused reader', 60_000)
    const newest = (await watcher.status()).frame
    reader.socket.resume()
    // What it reads now: the few frames already on their way when it stopped, then the newest.
    const frames: bigint[] = []
    while (frames.length === 0 || frames[frames.length - 1]! < BigInt(newest)) frames.push((await reader.frame(30_000)).frame)
    const stale = frames.filter((f) => f < BigInt(newest))
    // The server stops within its bound and a probe (62.5 ms at 200 Hz, about a dozen frames); without
    // the check it would have sent every one of the 100 and more skipped frames.
    expect(stale.length).toBeLessThanOrEqual(30)
    reader.send({ action: 'status' })
    const status = await reader.json(30_000)
    expect(status.skipped_frames).toBeGreaterThanOrEqual(100)
    watcher.close()
  }, 120_000)
})

describe('keepalive', () => {
  it('closes a peer that never answers pings with 4000 and counts it; the TypeScript client answers and stays', async () => {
    const e = await engine(`${ONE_SIGNAL}server: { keepalive_s: 0.1, ping_timeout_s: 0.5 }\n`)
    const client = await HermesClient.connect(e.url, { WebSocket: WebSocket as never })
    const raw = await RawClient.open(e.url)
    const deaf = new DeafPeer(e.url)
    await deaf.closed
    expect(deaf.pings).toBeGreaterThanOrEqual(1)
    expect(deaf.closeCode).toBe(CLOSE_NO_PONG)
    // The others were pinged as often and answered (ws and the TypeScript client do so by themselves).
    const status = await client.status()
    expect(status.clients_timed_out).toBe(1)
    expect(status.clients).toBe(2)
    expect(raw.closeCode).toBeNull()
    client.close()
  }, 60_000)

  it('keepalive_s and ping_timeout_s are checked like the other keys', () => {
    const load = (server: string): string[] =>
      configError(() => parseConfig(`${ONE_SIGNAL}server: { ${server} }\n`, 'k.yaml', { checkFiles: false })).issues.map((i) => `${i.path}: ${i.message}`)
    expect(load('keepalive_s: -1')).toEqual(['server.keepalive_s: keepalive_s must be 0 (off) or positive'])
    expect(load('ping_timeout_s: 0')).toEqual(['server.ping_timeout_s: ping_timeout_s must be positive'])
    expect(load('ping_timeout_s: yes')[0]).toMatch(/^server\.ping_timeout_s: /)
    const { config } = parseConfig(ONE_SIGNAL, 'k.yaml', { checkFiles: false })
    expect([config.server.keepaliveS, config.server.pingTimeoutS]).toEqual([10, 30])
  })
})
