// Test helpers: a real engine with its server on port 0, and a raw WebSocket client that queues what it gets.
import { WebSocket } from 'ws'
import { decodeHert, type HertFrame } from '../../../shared/protocol/hert'
import { parseConfig } from '../config/load'
import { Session, type SessionOptions } from '../session'
import { HermesServer, type ServedRun, type ServerOptions } from './server'

export interface Engine {
  session: Session
  server: HermesServer
  url: string
  stop(): Promise<void>
}

export async function startEngine(yaml: string, options: Partial<ServerOptions> = {}, sessionOptions: SessionOptions = {}): Promise<Engine> {
  const { config } = parseConfig(yaml, 'test.yaml', { checkFiles: false })
  const session = await Session.start(config, sessionOptions)
  return { session, ...(await serveRun(session, options)) }
}

/** A run (a session, a replay) bound to a server on port 0; stop() stops both, the server first. */
export async function serveRun(run: ServedRun & { stop(): Promise<unknown> }, options: Partial<ServerOptions> = {}): Promise<{ server: HermesServer; url: string; stop(): Promise<void> }> {
  const server = await HermesServer.start({
    host: '127.0.0.1',
    port: 0,
    telemetryHz: run.config.server.telemetryHz,
    staticDir: null,
    allowedOrigins: run.config.server.allowedOrigins,
    allowedHosts: run.config.server.allowedHosts,
    ...options
  })
  server.bind(run)
  return {
    server,
    url: server.url,
    async stop() {
      await server.stop()
      await run.stop()
    }
  }
}

export type Received = { kind: 'text'; json: Record<string, unknown> } | { kind: 'binary'; frame: HertFrame; bytes: number }

/** A plain `ws` client that records every message, for checking the wire exactly as seed 000 writes it. */
export class RawClient {
  readonly received: Received[] = []
  private waiters: (() => void)[] = []
  closeCode: number | null = null
  readonly closed: Promise<number>

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.received.push({ kind: 'binary', frame: decodeHert(data), bytes: data.byteLength })
      else this.received.push({ kind: 'text', json: JSON.parse(data.toString('utf8')) as Record<string, unknown> })
      for (const w of this.waiters.splice(0)) w()
    })
    this.closed = new Promise((resolve) =>
      socket.on('close', (code: number) => {
        this.closeCode = code
        resolve(code)
        for (const w of this.waiters.splice(0)) w()
      })
    )
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers })
    const client = new RawClient(socket)
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client))
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** Waits for the first not-yet-taken message matching `match`, removes it and everything before it. */
  async take<T extends Received>(match: (r: Received) => r is T, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.received.findIndex(match)
      if (index >= 0) return this.received.splice(0, index + 1)[index] as T
      if (this.closeCode !== null) throw new Error(`connection closed (${this.closeCode}) while waiting`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.received.slice(-5))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** The next message of either kind, nothing dropped. */
  async next(timeoutMs?: number): Promise<Received> {
    return this.take((_r): _r is Received => true, timeoutMs)
  }

  /** The next JSON message (binary frames before it are dropped). */
  async json(timeoutMs?: number): Promise<Record<string, unknown>> {
    return (await this.take((r): r is Extract<Received, { kind: 'text' }> => r.kind === 'text', timeoutMs)).json
  }

  async frame(timeoutMs?: number): Promise<HertFrame> {
    return (await this.take((r): r is Extract<Received, { kind: 'binary' }> => r.kind === 'binary', timeoutMs)).frame
  }

  /** Text messages only, in order, without waiting; drops what it returns. */
  drainJson(): Record<string, unknown>[] {
    const texts = this.received.filter((r): r is Extract<Received, { kind: 'text' }> => r.kind === 'text').map((r) => r.json)
    this.received.length = 0
    return texts
  }

  close(): Promise<number> {
    this.socket.close()
    return this.closed
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits until `condition` holds, polling; fails naming `what` after a generous timeout (never asserts a time). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
