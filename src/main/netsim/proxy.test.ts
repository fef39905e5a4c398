// The proxy against the real engine server: transparency, latency, loss, disconnects, bandwidth, order, control.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeHert } from '../../shared/protocol/hert'
import { parseCommand } from '../engine/server/commands'
import { sleep, startEngine, type Engine } from '../engine/server/testing'
import type { ConditionsPatch } from './conditions'
import type { NetsimProxy, ProxyStatsJson } from './proxy'
import { loadRecording, saveRecording, type RecordingFile } from './recording'
import { controlUrl, ENGINE_YAML, eventually, http, startProxy, TapClient, type Tapped } from './testing'

const engines: Engine[] = []
const proxies: NetsimProxy[] = []
const clients: TapClient[] = []

async function engine(telemetryHz = 60): Promise<Engine> {
  const e = await startEngine(ENGINE_YAML(telemetryHz))
  engines.push(e)
  return e
}

async function proxy(e: Engine, patch: ConditionsPatch = {}, history = 100_000): Promise<NetsimProxy> {
  const p = await startProxy(e.url, patch, { history })
  proxies.push(p)
  return p
}

async function connect(url: string): Promise<TapClient> {
  const c = await TapClient.open(url)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate()
  await Promise.all(proxies.splice(0).map((p) => p.stop()))
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

const frameOf = (m: Tapped): bigint => decodeHert(m.data).frame
const subscribeAll = { action: 'subscribe', params: { signals: ['*'] } }

describe('transparency on the perfect profile', () => {
  it('passes the same JSON and the same frames, byte for byte and in order, as a direct connection', async () => {
    const e = await engine(60)
    const p = await proxy(e)
    const direct = await connect(e.url)
    const proxied = await connect(p.url)
    for (const c of [direct, proxied]) {
      c.send(subscribeAll)
      c.send('not json')
      c.send({ action: 'step', params: { count: -1 } })
    }
    await Promise.all([direct, proxied].map((c) => c.until(() => c.binaries().length >= 40, 5000, '40 frames')))
    // JSON: schema, ack, and the two error replies, identical text.
    const texts = (c: TapClient): string[] => c.messages.filter((m) => !m.isBinary).map((m) => m.data.toString('utf8'))
    expect(texts(proxied)).toEqual(texts(direct))
    expect(texts(direct)).toHaveLength(4)
    // Frames: every tick hands both clients the same buffer; over the ticks both saw, the bytes are the same.
    const d = direct.binaries()
    const q = proxied.binaries()
    const first = frameOf(d[0]!) > frameOf(q[0]!) ? frameOf(d[0]!) : frameOf(q[0]!)
    const from = (list: Tapped[]): Buffer[] => list.slice(list.findIndex((m) => frameOf(m) === first)).map((m) => m.data)
    const common = Math.min(from(d).length, from(q).length)
    expect(common).toBeGreaterThan(20)
    expect(from(q).slice(0, common)).toEqual(from(d).slice(0, common))
    const stats = p.statsJson()
    expect(stats.server_to_client.dropped + stats.client_to_server.dropped).toBe(0)
    expect(stats.client_to_server.validation_errors).toBe(2)
    expect(stats.server_to_client.validation_errors).toBe(0)
  })

  it('relays the target closing (1001 when the engine stops) after everything it sent', async () => {
    const e = await engine(60)
    const p = await proxy(e, { latency_ms: 50 })
    const c = await connect(p.url)
    c.send(subscribeAll)
    await c.until(() => c.binaries().length >= 5)
    await e.stop()
    engines.splice(engines.indexOf(e), 1)
    expect(await c.closed).toBe(1001)
    const stats = p.statsJson()
    expect(stats.disconnections.target).toBe(1)
    expect(stats.server_to_client.delivered).toBe(c.messages.length)
    expect(stats.server_to_client.discarded).toBe(0)
  })

  it('refuses a client with 502 when the target is down, and closes clients with 1001 when it stops', async () => {
    const e = await engine()
    const p = await proxy(e)
    const c = await connect(p.url)
    const down = await startProxy('ws://127.0.0.1:1', {})
    proxies.push(down)
    await expect(TapClient.open(down.url)).rejects.toThrow('HTTP 502')
    expect(down.statsJson().connections.refused).toBe(1)
    await p.stop()
    expect(await c.closed).toBe(1001)
    expect(p.statsJson().disconnections.shutdown).toBe(1)
  })
})

describe('conditions', () => {
  it('holds every message for the configured latency each way before handing it on', async () => {
    const e = await engine()
    const p = await proxy(e, { latency_ms: 100 })
    const proxied = await connect(p.url)
    await proxied.text((j) => j.type === 'schema')
    for (let i = 0; i < 3; i++) await proxied.ping(15_000)
    // The proxy never hands a message on before its due time: every delivery was held at least 100 ms.
    const delivered = p.recordingJson().messages.filter((m) => m.fate === 'delivered')
    expect(delivered.map((m) => m.label)).toEqual(['schema', 'ping', 'pong', 'ping', 'pong', 'ping', 'pong'])
    for (const m of delivered) expect(m.added_ms).toBeGreaterThanOrEqual(100)
    expect(p.statsJson().client_to_server.latency_added_ms.samples).toBe(3)
  })

  it('drops about the configured share of telemetry frames, and counts exactly what the client did not get', async () => {
    const e = await engine(500)
    const p = await proxy(e, { packet_loss_rate: 0.3 })
    const direct = await connect(e.url)
    const proxied = await connect(p.url)
    direct.send(subscribeAll)
    proxied.send(subscribeAll)
    await proxied.until(() => p.statsJson().server_to_client.messages >= 2000, 15_000, '2000 frames through the proxy')
    // Stopping the engine closes the proxied client after every message already passed on.
    await e.stop()
    engines.splice(engines.indexOf(e), 1)
    await proxied.closed
    const stats = p.statsJson().server_to_client
    const got = proxied.binaries()
    const frames = stats.messages - 2 // the schema and the ack are not telemetry
    expect(proxied.texts().map((t) => t.type)).toEqual(['schema', 'ack'])
    expect(stats.delivered).toBe(got.length + 2)
    expect(stats.dropped).toBe(frames - got.length)
    expect(stats.dropped / frames).toBeGreaterThan(0.25)
    expect(stats.dropped / frames).toBeLessThan(0.35)
    // What did arrive is the target's frames in their order: frames the direct client saw too, never reordered.
    const seen = direct.binaries().map(frameOf)
    const seenSet = new Set(seen)
    const arrived = got.map(frameOf)
    for (let k = 1; k < arrived.length; k++) expect(arrived[k]! >= arrived[k - 1]!).toBe(true)
    const inWindow = arrived.filter((f) => f >= seen[0]! && f <= seen[seen.length - 1]!)
    expect(inWindow.length).toBeGreaterThan(1000)
    expect(inWindow.every((f) => seenSet.has(f))).toBe(true)
  }, 30_000)

  it('never drops control messages unless drop_control says so', async () => {
    const e = await engine(60)
    const p = await proxy(e, { packet_loss_rate: 1 })
    const c = await connect(p.url)
    c.send(subscribeAll)
    for (let i = 0; i < 20; i++) {
      await c.ping()
      await sleep(10)
    }
    expect(c.texts().filter((t) => t.type === 'pong')).toHaveLength(20)
    expect(c.binaries()).toHaveLength(0)
    expect(p.statsJson().server_to_client.dropped).toBeGreaterThan(5)

    expect((await http('PUT', `${controlUrl(p)}/conditions`, { drop_control: true })).status).toBe(200)
    const before = p.statsJson().client_to_server.dropped
    for (let i = 0; i < 5; i++) c.send({ action: 'ping', params: { client_time: i } })
    await eventually(() => p.statsJson().client_to_server.dropped - before === 5, 10_000)
    expect(c.texts().filter((t) => t.type === 'pong')).toHaveLength(20)
  })

  it('forces disconnects: per message, per minute and on request, and the client sees the link drop (1006)', async () => {
    const e = await engine()
    const perMessage = await proxy(e, { disconnect_rate: 1, disconnect_per: 'message' })
    const a = await connect(perMessage.url)
    expect(await a.closed).toBe(1006)
    expect(perMessage.statsJson().disconnections.forced).toBe(1)

    // 600 per minute: a mean of 100 ms, so the connection is cut before long.
    const perMinute = await proxy(e, { disconnect_rate: 600, disconnect_per: 'minute' })
    const b = await connect(perMinute.url)
    expect(await b.closed).toBe(1006)
    expect(perMinute.statsJson().disconnections.forced).toBe(1)

    const onRequest = await proxy(e)
    const c = await connect(onRequest.url)
    await c.text((j) => j.type === 'schema')
    const stats = (await http('GET', `${controlUrl(onRequest)}/stats`)).json as ProxyStatsJson
    const id = stats.clients[0]!.id
    expect((await http('POST', `${controlUrl(onRequest)}/disconnect`, { client: id })).json).toEqual({ disconnected: [id] })
    expect(await c.closed).toBe(1006)
    expect(onRequest.statsJson().disconnections).toEqual({ client: 0, target: 0, forced: 1, shutdown: 0 })
  })

  it('limits bandwidth: a burst of 10 kB pings at 100 kB/s is transmitted one after another, 0.1 s each', async () => {
    const e = await engine()
    const p = await proxy(e, { client_to_server: { bandwidth_bytes_per_s: 100_000 } })
    const pad = 'x'.repeat(10_000)
    const c = await connect(p.url)
    await Promise.all(Array.from({ length: 5 }, () => c.ping(30_000, { pad })))
    // What the limiter decided, on the proxy's own clock: the n-th ping of the burst is handed on no
    // sooner than n transmission times after the first arrived, however fast or slow the machine.
    const pings = p.recordingJson().messages.filter((m) => m.label === 'ping')
    expect(pings).toHaveLength(5)
    let transmitted = 0
    for (const m of pings) {
      transmitted += (m.bytes * 1000) / 100_000
      expect(m.t_ms + m.added_ms! - pings[0]!.t_ms).toBeGreaterThanOrEqual(transmitted - 0.01)
    }
    expect(pings[0]!.added_ms).toBeGreaterThanOrEqual((pings[0]!.bytes * 1000) / 100_000 - 0.01)
  })

  it('never reorders under jitter, though each message is delayed differently', async () => {
    const e = await engine(200)
    const p = await proxy(e, { latency_ms: 20, jitter_ms: 20 })
    const c = await connect(p.url)
    c.send(subscribeAll)
    await c.until(() => c.binaries().length >= 150, 5000, '150 frames')
    const frames = c.binaries().map(frameOf)
    for (let i = 1; i < frames.length; i++) expect(frames[i]! >= frames[i - 1]!).toBe(true)
    const delivered = p.recordingJson().messages.filter((m) => m.direction === 'server_to_client' && m.fate === 'delivered')
    const added = delivered.map((m) => m.added_ms!)
    expect(Math.max(...added) - Math.min(...added)).toBeGreaterThan(15)
    // Delivery times never go backwards in arrival order.
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]!.t_ms + delivered[i]!.added_ms!).toBeGreaterThanOrEqual(delivered[i - 1]!.t_ms + delivered[i - 1]!.added_ms! - 0.01)
  })
})

describe('control endpoint', () => {
  it('changes conditions while clients stay connected, and rejects invalid ones with the key at fault', async () => {
    const e = await engine()
    const p = await proxy(e)
    const c = await connect(p.url)
    await c.ping(15_000)
    const put = await http('PUT', `${controlUrl(p)}/conditions`, { latency_ms: 150 })
    expect(put.status).toBe(200)
    await c.ping(15_000)
    // The ping after the change is held 150 ms each way; the connection stayed up throughout.
    const [ping, pong] = p.recordingJson().messages.filter((m) => m.label === 'ping' || m.label === 'pong').slice(-2)
    expect([ping!.label, pong!.label]).toEqual(['ping', 'pong'])
    expect(ping!.added_ms).toBeGreaterThanOrEqual(150)
    expect(pong!.added_ms).toBeGreaterThanOrEqual(150)
    const view = (await http('GET', `${controlUrl(p)}/conditions`)).json as { profile: string; conditions: { server_to_client: { latency_ms: number } } }
    expect(view.profile).toBe('test (modified)')
    expect(view.conditions.server_to_client.latency_ms).toBe(150)

    const bad = await http('PUT', `${controlUrl(p)}/conditions`, { latency_ms: -1, speed: 3 })
    expect(bad.status).toBe(400)
    expect(bad.json).toEqual({
      error: 'invalid conditions',
      problems: expect.arrayContaining([expect.objectContaining({ path: 'latency_ms' }), expect.objectContaining({ path: 'speed' })]) as unknown
    })
    const latencyPut = await http('PUT', `${controlUrl(p)}/conditions`, { latency_ms: 2 ** 31 })
    expect(latencyPut).toEqual({ status: 400, json: { error: 'invalid conditions', problems: [{ path: 'latency_ms', message: 'must be at most 3600000 ms (one hour)' }] } })
    expect((await http('PUT', `${controlUrl(p)}/conditions`, { extends: 'perfect' })).status).toBe(200)
    await c.ping(15_000)
    expect(p.recordingJson().messages.at(-1)).toMatchObject({ label: 'pong', added_ms: expect.any(Number) as unknown })
    expect(p.conditions.server_to_client.latency_ms).toBe(0)
    expect(p.profile).toBe('perfect')
  })

  it('refuses other origins and bodies that are not JSON, and names unknown endpoints', async () => {
    const e = await engine()
    const p = await proxy(e)
    expect((await http('GET', `${controlUrl(p)}/stats`, undefined, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await http('PUT', `${controlUrl(p)}/conditions`, 'latency_ms=5', { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await http('GET', `${controlUrl(p)}/nothing`)).status).toBe(404)
    expect((await http('POST', `${controlUrl(p)}/stats`, {})).status).toBe(405)
  })

  it('serves the history, which a file round trip keeps entry for entry, and keeps only the newest', async () => {
    const e = await engine(60)
    const p = await proxy(e, {}, 50)
    const c = await connect(p.url)
    c.send(subscribeAll)
    const ack = await c.text((j) => j.type === 'ack')
    await c.until(() => c.binaries().length >= 80)
    const recording = (await http('GET', `${controlUrl(p)}/recording`)).json as RecordingFile
    expect(recording.messages).toHaveLength(50)
    expect(recording.evicted).toBe(recording.recorded - 50)
    const seqs = recording.messages.map((m) => m.seq)
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i))
    const hert = recording.messages.find((m) => m.label === 'HERT')!
    const count = ack.json.count as number
    expect(hert).toMatchObject({ direction: 'server_to_client', kind: 'binary', bytes: 24 + 8 * count, count, client: 1, fate: 'delivered' })
    expect(typeof hert.frame).toBe('number')
    const file = join(mkdtempSync(join(tmpdir(), 'netsim-')), 'recording.json')
    saveRecording(file, recording)
    expect(loadRecording(file)).toEqual(recording)
    expect((await http('DELETE', `${controlUrl(p)}/recording`)).status).toBe(204)
    expect(p.recordingJson().recorded).toBeLessThan(10)
  })
})

describe('validation', () => {
  it('flags and counts malformed client messages, forwards them, and records what was wrong', async () => {
    const e = await engine()
    const p = await proxy(e)
    const c = await connect(p.url)
    c.send('{"action": ')
    c.send(Buffer.from([1, 2, 3]))
    c.send({ action: 'launch' })
    await c.until(() => c.texts().filter((t) => t.type === 'error').length === 3)
    const stats = p.statsJson()
    expect(stats.client_to_server.validation_errors).toBe(3)
    expect(stats.validation_errors).toBe(3)
    expect(stats.client_to_server.delivered).toBe(3)
    const errors = p.recordingJson().messages.filter((m) => m.error !== undefined)
    expect(errors.map((m) => [m.direction, m.label, m.kind])).toEqual([
      ['client_to_server', 'invalid', 'text'],
      ['client_to_server', 'invalid', 'binary'],
      ['client_to_server', 'launch', 'text']
    ])
    expect(errors[0]!.error).toMatch(/^Invalid JSON/)
    expect(errors[1]!.error).toContain('binary message of 3 bytes from a client')
    expect(errors[2]!.error).toBe('Unknown action: launch')
    expect(stats.recent_errors.map((r) => r.error)).toEqual(errors.map((m) => m.error))
  })
})

/** `[[[…[1]…]]]` nested `depth` deep, as JSON text (built without recursion). */
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`

function engineSurvivesDeepMessages(): boolean {
  try {
    parseCommand(`{"action":"set","params":{"signal":"a.b","value":${nested(10_000)}}}`)
    parseCommand(`{"action":${nested(10_000)}}`)
    return true
  } catch {
    return false
  }
}

describe('hostile messages', () => {
  // The engine's own parser overflowing its stack on such a message is fixed on the engine's side; until
  // then this runs only against an engine that survives it (edges.test.ts proves the proxy alone survives).
  it.skipIf(!engineSurvivesDeepMessages())('flags a message nested 10,000 deep as invalid with a reason, forwards it, and keeps serving every client', async () => {
    const e = await engine(60)
    const p = await proxy(e)
    const watcher = await connect(p.url)
    watcher.send(subscribeAll)
    await watcher.until(() => watcher.binaries().length >= 3, 10_000, 'telemetry before')
    const attacker = await connect(p.url)
    await attacker.text((j) => j.type === 'schema')
    attacker.send(`{"action":"set","params":{"signal":"controller.input","value":${nested(10_000)}}}`)
    attacker.send(`{"action":${nested(10_000)}}`)
    // The proxy is alive: the attacker's connection still answers, and telemetry still flows to the other client.
    await attacker.ping(10_000)
    const before = watcher.binaries().length
    await watcher.until(() => watcher.binaries().length >= before + 10, 10_000, '10 more frames')
    const flagged = p.recordingJson().messages.filter((m) => m.client === 2 && m.direction === 'client_to_server' && m.error !== undefined)
    expect(flagged).toHaveLength(2)
    for (const m of flagged) {
      expect(m.fate).toBe('delivered')
      expect(m.error!.length).toBeLessThanOrEqual(400)
    }
    expect(p.statsJson().client_to_server.validation_errors).toBeGreaterThanOrEqual(2)
  })

  it('costs a 1 MB unknown action no more than its parse: the sender is answered, other clients keep their telemetry, and what is kept of it is bounded', async () => {
    const e = await engine(60)
    const p = await proxy(e)
    const watcher = await connect(p.url)
    watcher.send(subscribeAll)
    await watcher.until(() => watcher.binaries().length >= 3, 10_000, 'telemetry before')
    const sender = await connect(p.url)
    await sender.text((j) => j.type === 'schema')
    // Just under the engine's 1 MiB message limit, so the engine answers rather than closing.
    const action = 'x'.repeat(1_000_000)
    sender.send({ action })
    await sender.text((j) => j.type === 'error', 0, 30_000)
    const before = watcher.binaries().length
    await watcher.until(() => watcher.binaries().length >= before + 10, 30_000, '10 more frames')
    const entry = p.recordingJson().messages.find((m) => m.client === 2 && m.direction === 'client_to_server')!
    expect(entry.bytes).toBeGreaterThan(1_000_000)
    expect(entry.label.length).toBeLessThan(200)
    expect(entry.error!.length).toBeLessThan(400)
    expect(entry.error).toMatch(/^Unknown action: x+…/)
    expect(entry.truncated).toBe(true)
    expect(Buffer.byteLength(entry.text!)).toBe(p.recorder.maxMessageBytes)
    expect(p.statsJson().recent_errors.every((r) => r.error.length < 400)).toBe(true)
  })
})
