// The proxy against a scripted fake target: what a real engine never sends, close codes, origins, plain HTTP.
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { connect as tcpConnect, type AddressInfo } from 'node:net'
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

async function proxyTo(target: FakeTarget, options: Parameters<typeof startProxy>[2] = {}): Promise<NetsimProxy> {
  const p = await startProxy(target.url, {}, options)
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
    // 25 MB sent: the proxy stops reading from the target once the client is behind, and stays stopped.
    await eventually(() => p.statsJson().clients[0]!.held_back.includes('server_to_client'), 15_000)
    const taken = p.statsJson().server_to_client.messages
    await new Promise((r) => setTimeout(r, 200))
    expect(p.statsJson().clients[0]!.held_back).toEqual(['server_to_client'])
    expect(p.statsJson().server_to_client.messages).toBeLessThan(frames.length)
    expect(taken).toBeLessThan(frames.length)
    expect(server.bufferedAmount).toBeGreaterThan(0)
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

/** One HTTP request with any Host header (fetch will not set one), answered with status and body. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, body: '' })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The headers of a WebSocket handshake, so a refusal comes back as a plain answer with its body. */
const upgrade = (host: string): Record<string, string> => ({ host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' })

/** A request line sent as is, for the absolute form (`GET http://host/ HTTP/1.1`) that clients do not produce. */
function rawLine(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(text))
    let answer = ''
    socket.on('data', (c: Buffer) => (answer += c.toString('utf8')))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    setTimeout(() => socket.end(), 2000)
  })
}

describe('a message that breaks the validator', () => {
  it('is flagged invalid with the reason, forwarded unchanged, and the proxy keeps relaying', async () => {
    const target = await fakeTarget()
    const p = await proxyTo(target)
    const c = await connect(p.url)
    await eventually(() => target.accepted.length === 1)
    const deep = `{"action":"set","params":{"signal":"a.b","value":${'['.repeat(10_000)}1${']'.repeat(10_000)}}}`
    const deepAction = `{"action":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`
    c.send(deep)
    c.send(deepAction)
    c.send('{"action":"ping"}')
    await eventually(() => target.accepted[0]!.received.length === 3, 10_000)
    expect(target.accepted[0]!.received).toEqual([deep, deepAction, '{"action":"ping"}'])
    // And the other way: the proxy still relays the target.
    target.accepted[0]!.socket.send(Buffer.from(encodeHert(1, 0.01, [1])))
    await c.until(() => c.messages.length === 1)
    const recorded = p.recordingJson().messages.filter((m) => m.direction === 'client_to_server')
    expect(recorded.map((m) => m.fate)).toEqual(['delivered', 'delivered', 'delivered'])
    // Flagged by the guard (the parser overflowed) or by the parser itself once it no longer does.
    for (const m of recorded.slice(0, 2)) expect(m.error!.length).toBeGreaterThan(0)
    expect(recorded[2]!.error).toBeUndefined()
    expect(p.statsJson().client_to_server.validation_errors).toBe(2)
  })
})

describe('DNS rebinding: the Host header', () => {
  it('refuses a foreign Host with 403 for the upgrade, forwarded pages and the control endpoint, and serves its own names', async () => {
    const target = await fakeTarget()
    const p = await proxyTo(target, { allowedHosts: ['console.lan'] })
    const port = p.port
    const evil = `evil.example:${port}`
    expect(await raw(port, 'GET', '/', upgrade(evil))).toEqual({ status: 403, body: 'Host not allowed\n' })
    expect((await raw(port, 'GET', '/', { host: evil })).status).toBe(403)
    expect((await raw(port, 'GET', '/netsim/stats', { host: evil })).status).toBe(403)
    const put = await raw(port, 'PUT', '/netsim/conditions', { host: evil, 'content-type': 'application/json' }, '{"latency_ms": 500}')
    expect(put.status).toBe(403)
    expect(p.conditions.server_to_client.latency_ms).toBe(0)
    // Nothing refused reached the target.
    expect(target.accepted).toHaveLength(0)

    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', `console.lan:${port}`]) {
      expect((await raw(port, 'GET', '/', { host })).body).toBe('<title>console</title>')
      expect((await raw(port, 'GET', '/netsim/conditions', { host })).status).toBe(200)
      const answer = await raw(port, 'GET', '/', upgrade(host))
      expect(answer.status).toBe(101)
    }
    const ok = await raw(port, 'PUT', '/netsim/conditions', { host: `localhost:${port}`, 'content-type': 'application/json' }, '{"latency_ms": 5}')
    expect(ok.status).toBe(200)
    expect(p.conditions.server_to_client.latency_ms).toBe(5)
  })
})

describe('the proxy connects to its target and nowhere else', () => {
  it('keeps a //host:port/ WebSocket path and a //host:port/ or absolute-form HTTP request on the target', async () => {
    const target = await fakeTarget()
    const elsewhere = await fakeTarget()
    const hits: string[] = []
    elsewhere.http.on('connection', () => hits.push('tcp'))
    const p = await proxyTo(target)
    const away = new URL(elsewhere.url).host

    await connect(`ws://127.0.0.1:${p.port}//${away}/`)
    await eventually(() => target.accepted.length === 1)
    expect(target.accepted[0]!.req.url).toBe(`//${away}/`)

    const page = await raw(p.port, 'GET', `//${away}/x`, { host: `127.0.0.1:${p.port}` })
    expect(page.body).toBe('<title>console</title>') // the target's page, for its own path //host/x
    const absolute = await rawLine(p.port, `GET http://${away}/x HTTP/1.1\r\nHost: 127.0.0.1:${p.port}\r\nConnection: close\r\n\r\n`)
    expect(absolute).toMatch(/^HTTP\/1\.1 400 /)
    expect(hits).toEqual([])
  })

  it('says only that the target did not answer, never why: connect errors would make it a port scanner', async () => {
    const gone = await fakeTarget()
    const url = gone.url
    targets.splice(targets.indexOf(gone), 1)
    gone.wss.close()
    await new Promise<void>((resolve) => gone.http.close(() => resolve()))
    const p = await startProxy(url)
    proxies.push(p)
    const host = `127.0.0.1:${p.port}`
    const page = await raw(p.port, 'GET', '/index.html', { host })
    const socket = await raw(p.port, 'GET', '/', upgrade(host))
    expect(page).toEqual({ status: 502, body: 'netsim: the target did not answer\n' })
    expect(socket).toEqual({ status: 502, body: 'netsim: cannot connect to the target\n' })
  })
})
