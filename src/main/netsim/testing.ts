// Test helpers for the proxy: an engine config, a proxy on port 0, a client that keeps raw bytes, HTTP calls.
import { WebSocket } from 'ws'
import { logger } from '../engine/log'
import { applyPatch, profile, type ConditionsPatch } from './conditions'
import { NetsimProxy, type ProxyOptions } from './proxy'

/** A small inproc engine: a writable input and a point mass, paced in real time. */
export const ENGINE_YAML = (telemetryHz = 60, rateHz = 1000): string => `
version: "0.2"
modules:
  controller:
    type: inproc
    model: injection
    signals:
      - { name: input }
  vehicle:
    type: inproc
    model: point_mass
    options: { initial_velocity: [1.0, 0.5] }
execution:
  mode: realtime
  rate_hz: ${rateHz}
server:
  enabled: true
  telemetry_hz: ${telemetryHz}
`

/** A proxy on a free port, with conditions from `perfect` plus a patch. */
export function startProxy(target: string, patch: ConditionsPatch = {}, options: Partial<ProxyOptions> = {}): Promise<NetsimProxy> {
  const { conditions, name } = applyPatch(profile('perfect'), patch)
  return NetsimProxy.start({
    target,
    host: '127.0.0.1',
    port: 0,
    profile: name ?? 'test',
    conditions,
    seed: 12345,
    history: 100_000,
    payloads: false,
    log: logger('netsim'),
    ...options
  })
}

export interface Tapped {
  isBinary: boolean
  data: Buffer
  /** performance.now() at arrival. */
  at: number
}

/** A WebSocket client that keeps every message's exact bytes and arrival time. */
export class TapClient {
  readonly messages: Tapped[] = []
  closeCode: number | null = null
  readonly closed: Promise<number>
  private waiters: (() => void)[] = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push({ isBinary, data, at: performance.now() })
      this.wake()
    })
    this.closed = new Promise((resolve) =>
      socket.on('close', (code: number) => {
        this.closeCode = code
        resolve(code)
        this.wake()
      })
    )
    socket.on('error', () => undefined)
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TapClient> {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false })
    const client = new TapClient(socket)
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client))
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message))
  }

  texts(): Record<string, unknown>[] {
    return this.messages.filter((m) => !m.isBinary).map((m) => JSON.parse(m.data.toString('utf8')) as Record<string, unknown>)
  }

  binaries(): Tapped[] {
    return this.messages.filter((m) => m.isBinary)
  }

  /** Waits until `ready` holds (checked on every message and close). */
  async until(ready: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!ready()) {
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; ${this.messages.length} messages, close ${this.closeCode}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Waits for the first text message after index `from` that matches, and returns it with its arrival time. */
  async text(match: (json: Record<string, unknown>) => boolean, from = 0, timeoutMs = 5000): Promise<{ json: Record<string, unknown>; at: number; index: number }> {
    let found: { json: Record<string, unknown>; at: number; index: number } | null = null
    await this.until(
      () => {
        for (let i = from; i < this.messages.length; i++) {
          const m = this.messages[i]!
          if (m.isBinary) continue
          const json = JSON.parse(m.data.toString('utf8')) as Record<string, unknown>
          if (match(json)) {
            found = { json, at: m.at, index: i }
            return true
          }
        }
        return false
      },
      timeoutMs,
      'a matching text message'
    )
    return found!
  }

  /** Sends a ping and resolves with the round trip in ms, matched by `client_time`. */
  async ping(timeoutMs = 5000, extra: Record<string, unknown> = {}): Promise<number> {
    const token = Math.random()
    const from = this.messages.length
    const sent = performance.now()
    this.send({ action: 'ping', params: { client_time: token }, ...extra })
    const pong = await this.text((j) => j.type === 'pong' && j.client_time === token, from, timeoutMs)
    return pong.at - sent
  }

  terminate(): void {
    this.socket.terminate()
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }
}

export async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {})
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null }
}

/** Polls until `ready` holds: for state that settles a moment after what a client sees (a socket's last close). */
export async function eventually(ready: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!ready()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for a condition')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The control endpoint's base URL for a proxy. */
export const controlUrl = (proxy: NetsimProxy): string => `http://127.0.0.1:${proxy.port}/netsim`
