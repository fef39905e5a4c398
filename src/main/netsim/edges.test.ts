// The proxy against a scripted fake target: what a real engine never sends, close codes, origins, plain HTTP.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { encodeHert } from '../../shared/protocol/hert'
import type { NetsimProxy } from './proxy'
import { eventually, startProxy, TapClient } from './testing'

interface FakeTarget {
  url: string
  /** Each connection: its socket, the upgrade request, and what it received (text as string). */
  accepted: { socket: WebSocket; req: IncomingMessage; received: (string | Buffer)[]; closed: Promise<number> }[]
  http: Server
  wss: WebSocketServer
}

const targets: FakeTarget[] = []
const proxies: NetsimProxy[] = []
const clients: TapClient[] = []

/** A target that sends `greeting` to each client and answers GET / with a small page. */
async function fakeTarget(greeting: (string | Buffer)[] = []): Promise<FakeTarget> {
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<title>console</title>')
  })
  const wss = new WebSocketServer({ server: http })
  const target: FakeTarget = { url: '', accepted: [], http, wss }
  wss.on('connection', (socket, req) => {
    const received: (string | Buffer)[] = []
    socket.on('message', (data: Buffer, isBinary: boolean) => received.push(isBinary ? data : data.toString('utf8')))
    const closed = new Promise<number>((resolve) => socket.on('close', (code: number) => resolve(code)))
    target.accepted.push({ socket, req, received, closed })
    for (const g of greeting) socket.send(g)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  target.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`
  targets.push(target)
  return target
}

async function proxyTo(target: FakeTarget): Promise<NetsimProxy> {
  const p = await startProxy(target.url)
  proxies.push(p)
  return p
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<TapClient> {
  const c = await TapClient.open(url, headers)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate()
  await Promise.all(proxies.splice(0).map((p) => p.stop()))
  for (const t of targets.splice(0)) {
    for (const client of t.wss.clients) client.terminate()
    t.wss.close()
    t.http.closeAllConnections()
    await new Promise<void>((resolve) => t.http.close(() => resolve()))
  }
})

describe('server messages that break the protocol', () => {
  it('flags unknown types, non-JSON text and frames that are not HERT, and still forwards them unchanged', async () => {
    const good = encodeHert(7, 0.07, [1, 2, 3])
    const greeting = ['{"type":"schema","modules":{}}', '{"type":"surprise"}', 'plain words', '[1,2]', '{"type":"ack"}', Buffer.from('HERX and more bytes than that....'), Buffer.from(good.slice(0, 30)), Buffer.from(good)]
    const p = await proxyTo(await fakeTarget(greeting))
    const c = await connect(p.url)
    await c.until(() => c.messages.length === greeting.length)
    expect(c.messages.map((m) => (m.isBinary ? m.data : m.data.toString('utf8')))).toEqual(greeting)
    const errors = p.recordingJson().messages.map((m) => [m.label, m.error ?? null])
    expect(errors).toEqual([
      ['schema', null],
      ['surprise', "unknown server message type 'surprise'"],
      ['invalid', expect.stringMatching(/^server text is not JSON/) as unknown],
      ['invalid', 'server message is not a JSON object'],
      ['ack', "ack without a string 'action'"],
      ['invalid', 'binary message is not a HERT frame: Invalid magic: 0x58524548, expected 0x48455254'],
      ['invalid', 'binary message is not a HERT frame: Frame truncated: 30 < 48'],
      ['HERT', null]
    ])
    expect(p.statsJson().server_to_client.validation_errors).toBe(6)
    expect(p.recordingJson().messages[7]).toMatchObject({ frame: 7, time: 0.07, count: 3 })
  })
})

describe('closing', () => {
  it("passes the client's close code to the target, and the target's to the client", async () => {
    const target = await fakeTarget()
    const p = await proxyTo(target)
    const a = await connect(p.url)
    a.socket.close(4001, 'bye')
    expect(await target.accepted[0]!.closed).toBe(4001)
    expect(await a.closed).toBe(4001)

    const b = await connect(p.url)
    await new Promise((r) => setTimeout(r, 20))
    target.accepted[1]!.socket.close(4002, 'go away')
    expect(await b.closed).toBe(4002)
    await eventually(() => p.statsJson().connections.open === 0)
    const stats = p.statsJson()
    expect(stats.disconnections).toEqual({ client: 1, target: 1, forced: 0, shutdown: 0 })
    expect(stats.connections).toEqual({ total: 2, open: 0, refused: 0 })
  })

  it('passes the target refusing the handshake (403) on to the client', async () => {
    const target = await fakeTarget()
    target.wss.options.verifyClient = (_info: unknown, done: (ok: boolean, code?: number) => void) => done(false, 403)
    const p = await proxyTo(target)
    await expect(connect(p.url)).rejects.toThrow('HTTP 403')
    expect(p.statsJson().connections.refused).toBe(1)
  })
})

describe('backpressure', () => {
  it('stops reading from the target while the client is behind, so the target sees a slow client, and loses nothing', async () => {
    const frames = Array.from({ length: 400 }, (_, i) => Buffer.from(encodeHert(i, i / 100, new Float64Array(8000))))
    const target = await fakeTarget()
    const p = await proxyTo(target)
    const c = await connect(p.url)
    c.socket.pause()
    await new Promise((r) => setTimeout(r, 20))
    const server = target.accepted[0]!.socket
    for (const f of frames) server.send(f)
    // 25 MB sent: without backpressure the proxy would take it all at once and the target's buffer would empty.
    await new Promise((r) => setTimeout(r, 500))
    expect(server.bufferedAmount).toBeGreaterThan(5_000_000)
    c.socket.resume()
    await c.until(() => c.messages.length === frames.length, 10_000, 'every frame')
    expect(c.messages.every((m, i) => m.data.equals(frames[i]!))).toBe(true)
    expect(server.bufferedAmount).toBe(0)
  })
})

describe('origins and plain HTTP', () => {
  it("rewrites the proxy's own origin to the target's and forwards any other unchanged", async () => {
    const target = await fakeTarget()
    const p = await proxyTo(target)
    await connect(p.url, { origin: `http://127.0.0.1:${p.port}` })
    await connect(p.url, { origin: 'http://elsewhere.example' })
    await connect(p.url)
    await new Promise((r) => setTimeout(r, 20))
    expect(target.accepted.map((a) => a.req.headers.origin)).toEqual([`http://${new URL(target.url).host}`, 'http://elsewhere.example', undefined])
  })

  it('serves the target’s HTTP pages through the proxy, so a console loads through it', async () => {
    const p = await proxyTo(await fakeTarget())
    const res = await fetch(`http://127.0.0.1:${p.port}/index.html`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('<title>console</title>')
  })
})
