import { afterEach, describe, expect, it } from 'vitest'
import { get } from 'node:http'
import { WebSocket } from 'ws'
import { HermesClient } from '../../../shared/client/hermesClient'
import { RawClient, sleep, startEngine, type Engine } from './testing'

// Seed 000's example: a vehicle with position and velocity, plus a controller input to `set`.
const SEED = (execution = 'mode: realtime\n  rate_hz: 100.0', telemetryHz = 60) => `
version: "0.2"
modules:
  vehicle:
    type: inproc
    model: point_mass
    options: { initial_velocity: [1.0, 0.5] }
    signals:
      - { name: position.x, unit: m }
      - { name: position.y, unit: m }
      - { name: velocity.x, unit: m/s }
      - { name: velocity.y, unit: m/s }
      - { name: force.x, published: false }
      - { name: force.y, published: false }
      - { name: acceleration.x, published: false }
      - { name: acceleration.y, published: false }
  controller:
    type: inproc
    model: injection
    signals:
      - { name: input }
      - { name: gain, writable: false, initial: 3 }
execution:
  ${execution}
server:
  enabled: true
  telemetry_hz: ${telemetryHz}
`

const engines: Engine[] = []
const clients: RawClient[] = []

async function engine(yaml = SEED(), options = {}): Promise<Engine> {
  const e = await startEngine(yaml, options)
  engines.push(e)
  return e
}

async function connect(e: Engine, headers: Record<string, string> = {}): Promise<RawClient> {
  const c = await RawClient.open(e.url, headers)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate()
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

const ALL = ['vehicle.position.x', 'vehicle.position.y', 'vehicle.velocity.x', 'vehicle.velocity.y', 'controller.input', 'controller.gain']

describe('seed 000, message by message', () => {
  it('sends the schema first, grouped under the config module, published signals only, no extension fields', async () => {
    const c = await connect(await engine())
    expect(await c.json()).toEqual({
      type: 'schema',
      modules: {
        vehicle: {
          signals: [
            { name: 'position.x', type: 'f64' },
            { name: 'position.y', type: 'f64' },
            { name: 'velocity.x', type: 'f64' },
            { name: 'velocity.y', type: 'f64' }
          ]
        },
        controller: { signals: [{ name: 'input', type: 'f64' }, { name: 'gain', type: 'f64' }] }
      }
    })
  })

  it('subscribes to "*", a module with "vehicle.*" and exact names, acking what will stream in stream order', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['*'] } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 6, signals: ALL })
    c.send({ action: 'subscribe', params: { signals: ['vehicle.*'] } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 4, signals: ALL.slice(0, 4) })
    c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x', 'vehicle.velocity.x'] } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 2, signals: ['vehicle.position.x', 'vehicle.velocity.x'] })
  })

  it('removes duplicates keeping the first position, and drops unknown and unpublished names', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['vehicle.velocity.y', 'vehicle.*', 'vehicle.velocity.y', 'nope.x', 'vehicle.force.x', 'vehicle.position.*'] } })
    expect(await c.json()).toEqual({
      type: 'ack',
      action: 'subscribe',
      count: 4,
      signals: ['vehicle.velocity.y', 'vehicle.position.x', 'vehicle.position.y', 'vehicle.velocity.x']
    })
  })

  it('streams HERT frames with values in subscription order, the ack always before the first frame', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['vehicle.velocity.y', 'vehicle.velocity.x', 'controller.gain'] } })
    expect(c.received.filter((r) => r.kind === 'binary')).toHaveLength(0)
    const ack = await c.take((r) => r.kind === 'text' || r.kind === 'binary')
    expect(ack.kind).toBe('text')
    const frame = await c.frame()
    expect(Array.from(frame.values)).toEqual([0.5, 1.0, 3])
    // Frame number and time belong together: time = frame * dt.
    expect(frame.time).toBeCloseTo(Number(frame.frame) * 0.01, 9)
  })

  it('gives a client that subscribes to nothing no frames, and one whose list matches nothing count-0 frames', async () => {
    const e = await engine()
    const silent = await connect(e)
    const empty = await connect(e)
    await silent.json()
    await empty.json()
    empty.send({ action: 'subscribe', params: { signals: ['nothing.here'] } })
    expect(await empty.json()).toEqual({ type: 'ack', action: 'subscribe', count: 0, signals: [] })
    const frame = await empty.frame()
    expect(frame.values.length).toBe(0)
    await sleep(200)
    expect(silent.received.filter((r) => r.kind === 'binary')).toHaveLength(0)
  })

  it('pause, resume and reset: ack to the sender, then the event to every client', async () => {
    const e = await engine()
    const a = await connect(e)
    const b = await connect(e)
    await a.json()
    await b.json()
    a.send({ action: 'pause' })
    expect(await a.json()).toEqual({ type: 'ack', action: 'pause' })
    expect(await a.json()).toEqual({ type: 'event', event: 'paused' })
    expect(await b.json()).toEqual({ type: 'event', event: 'paused' })
    a.send({ action: 'resume' })
    expect(await a.json()).toEqual({ type: 'ack', action: 'resume' })
    expect(await a.json()).toEqual({ type: 'event', event: 'running' })
    expect(await b.json()).toEqual({ type: 'event', event: 'running' })
    b.send({ action: 'reset' })
    expect(await b.json()).toEqual({ type: 'ack', action: 'reset' })
    expect(await b.json()).toEqual({ type: 'event', event: 'reset' })
    expect(await a.json()).toEqual({ type: 'event', event: 'reset' })
  })

  it('step advances exactly count frames, and the next frame says the frame the ack said', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'pause' })
    await c.json()
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
    await c.json()
    const before = await c.frame()
    c.send({ action: 'step', params: { count: 10 } })
    const ack = await c.json()
    expect(ack).toEqual({ type: 'ack', action: 'step', count: 10, frame: Number(before.frame) + 10 })
    const after = await c.frame()
    expect(Number(after.frame)).toBe(ack.frame)
    expect(after.values[0]).toBeCloseTo((ack.frame as number) * 0.01, 9)
    c.send({ action: 'step' })
    expect(await c.json()).toEqual({ type: 'ack', action: 'step', count: 1, frame: (ack.frame as number) + 1 })
  })

  it('keeps frames flowing while paused, with the same frame number and current values', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'pause' })
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['controller.input'] } })
    await c.json()
    const first = await c.frame()
    c.send({ action: 'set', params: { signal: 'controller.input', value: 42.5 } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'set', signal: 'controller.input', value: 42.5 })
    const next = await c.frame()
    expect(next.frame).toBe(first.frame)
    expect(next.values[0]).toBe(42.5)
  })

  it('set is visible in the next frame while running', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['controller.input'] } })
    await c.json()
    await c.frame()
    c.send({ action: 'set', params: { signal: 'controller.input', value: -7 } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'set', signal: 'controller.input', value: -7 })
    expect((await c.frame()).values[0]).toBe(-7)
  })
})

describe('errors, each answered and the connection still usable', () => {
  const cases: [string, unknown, string][] = [
    ['malformed JSON', '{"action": ', 'Invalid JSON: '],
    ['a JSON array', '[1,2]', 'Command must be a JSON object'],
    ['no action', { params: {} }, "Command missing 'action' field"],
    ['params not an object', { action: 'pause', params: [1] }, "Command 'params' must be an object"],
    ['an unknown action', { action: 'jump' }, 'Unknown action: jump'],
    ['an action in the wrong case', { action: 'Pause' }, 'Unknown action: Pause'],
    ['step count 0', { action: 'step', params: { count: 0 } }, "step 'count' must be a positive integer"],
    ['step count -1', { action: 'step', params: { count: -1 } }, "step 'count' must be a positive integer"],
    ['step count "ten"', { action: 'step', params: { count: 'ten' } }, "step 'count' must be a positive integer"],
    ['step count 2.5', { action: 'step', params: { count: 2.5 } }, "step 'count' must be a positive integer"],
    ['step count true', { action: 'step', params: { count: true } }, "step 'count' must be a positive integer"],
    ['set without signal', { action: 'set', params: { value: 1 } }, "set command requires 'signal' param"],
    ['set without value', { action: 'set', params: { signal: 'controller.input' } }, "set command requires 'value' param"],
    ['set with a string value', { action: 'set', params: { signal: 'controller.input', value: '1.5' } }, 'Invalid value: "1.5" (expected a finite number)'],
    ['set with null', { action: 'set', params: { signal: 'controller.input', value: null } }, 'Invalid value: null (expected a finite number)'],
    ['set of an unknown signal', { action: 'set', params: { signal: 'controller.nonexistent', value: 42.5 } }, 'Unknown signal: controller.nonexistent'],
    ['set of an unpublished signal', { action: 'set', params: { signal: 'vehicle.force.x', value: 1 } }, 'Unknown signal: vehicle.force.x'],
    ['set of a read-only signal', { action: 'set', params: { signal: 'vehicle.position.x', value: 1 } }, 'Signal not writable: vehicle.position.x'],
    ['subscribe without signals', { action: 'subscribe', params: {} }, "subscribe command requires 'signals' param"],
    ['subscribe with a string', { action: 'subscribe', params: { signals: '*' } }, "subscribe 'signals' must be a list"],
    ['subscribe with a number inside', { action: 'subscribe', params: { signals: ['*', 3] } }, "subscribe 'signals' must contain only strings"],
    ['step while running', { action: 'step', params: { count: 1 } }, 'step is only allowed while paused: send pause first']
  ]
  for (const [name, message, error] of cases) {
    it(`answers ${name}`, async () => {
      const c = await connect(await engine())
      await c.json()
      c.send(message)
      const reply = await c.json()
      expect(reply.type).toBe('error')
      expect(String(reply.message).startsWith(error)).toBe(true)
      expect(Object.keys(reply).sort()).toEqual(['message', 'type'])
      c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
      expect(await c.json()).toMatchObject({ type: 'ack', action: 'subscribe' })
    })
  }

  it('a 1e400 value arrives as Infinity and is refused as not finite', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send('{"action": "set", "params": {"signal": "controller.input", "value": 1e400}}')
    expect(await c.json()).toEqual({ type: 'error', message: 'Invalid value: null (expected a finite number)' })
  })

  it('answers a binary message with an error and keeps the connection', async () => {
    const c = await connect(await engine())
    await c.json()
    c.socket.send(Buffer.from([1, 2, 3]))
    expect(await c.json()).toEqual({ type: 'error', message: 'Binary messages are not accepted: send commands as JSON text' })
    c.send({ action: 'pause' })
    expect(await c.json()).toEqual({ type: 'ack', action: 'pause' })
  })

  it('closes with 1009 on a message over the size bound', async () => {
    const c = await connect(await engine(SEED(), { maxMessageBytes: 1024 }))
    await c.json()
    c.send({ action: 'subscribe', params: { signals: Array.from({ length: 200 }, (_, i) => `vehicle.s${i}`) } })
    expect(await c.closed).toBe(1009)
  })

  it('refuses a flood beyond the command rate with an error, and serves again after', async () => {
    const c = await connect(await engine(SEED(), { commandsPerSecond: 20 }))
    await c.json()
    for (let i = 0; i < 60; i++) c.send({ action: 'ping' })
    await sleep(300)
    const replies = c.drainJson()
    expect(replies.filter((r) => r.type === 'pong').length).toBeGreaterThanOrEqual(40)
    expect(replies.filter((r) => r.type === 'error' && String(r.message).startsWith('Too many messages')).length).toBeGreaterThan(0)
    await sleep(500)
    c.send({ action: 'pause' })
    expect(await c.json()).toEqual({ type: 'ack', action: 'pause' })
  })
})

describe('many clients', () => {
  it('serves three clients with different subscriptions at once', async () => {
    const e = await engine()
    const [a, b, c] = await Promise.all([connect(e), connect(e), connect(e)])
    for (const x of [a, b, c]) await x.json()
    a.send({ action: 'subscribe', params: { signals: ['*'] } })
    b.send({ action: 'subscribe', params: { signals: ['vehicle.velocity.*'] } })
    c.send({ action: 'subscribe', params: { signals: ['controller.gain'] } })
    expect((await a.json()).count).toBe(6)
    expect((await b.json()).count).toBe(2)
    expect((await c.json()).count).toBe(1)
    const [fa, fb, fc] = await Promise.all([a.frame(), b.frame(), c.frame()])
    expect(fa.values.length).toBe(6)
    expect(Array.from(fb.values)).toEqual([1.0, 0.5])
    expect(Array.from(fc.values)).toEqual([3])
  })

  it('skips frames for a client that stops reading, counts them, and keeps serving the others', async () => {
    // 80 kB frames at 100 Hz fill the loopback socket buffers within a second or two.
    const many = Array.from({ length: 10_000 }, (_, i) => `      - { name: s${i} }`).join('\n')
    const e = await engine(`
modules:
  bulk:
    type: inproc
    model: injection
    signals:
${many}
execution: { mode: realtime, rate_hz: 100 }
server: { telemetry_hz: 100 }
`)
    const stalled = await connect(e)
    const healthy = await connect(e)
    await stalled.json()
    await healthy.json()
    stalled.send({ action: 'subscribe', params: { signals: ['*'] } })
    healthy.send({ action: 'subscribe', params: { signals: ['bulk.s1'] } })
    await stalled.json()
    await healthy.json()
    // Stop reading: the kernel buffers fill, then the server's send buffer, then frames are skipped.
    stalled.socket.pause()
    const start = healthy.received.length
    await sleep(3000)
    const status = await HermesClient.connect(e.url, { WebSocket: WebSocket as never }).then(async (probe) => {
      const s = await probe.status()
      probe.close()
      return s
    })
    expect(status.skipped_frames_total).toBeGreaterThan(0)
    // The healthy client kept getting frames at the telemetry rate (100 Hz for 3 s).
    expect(healthy.received.length - start).toBeGreaterThan(200)
    // Once it reads again, the stalled client gets whole, valid frames: skipping never cuts one.
    stalled.socket.resume()
    const frame = await stalled.frame()
    expect(frame.values.length).toBe(10_000)
  })

  it('forgets a client that vanishes mid-stream, clean or abrupt, and keeps serving the rest', async () => {
    const e = await engine()
    const stays = await connect(e)
    const clean = await connect(e)
    const abrupt = await connect(e)
    for (const x of [stays, clean, abrupt]) {
      await x.json()
      x.send({ action: 'subscribe', params: { signals: ['*'] } })
      await x.json()
      await x.frame()
    }
    expect(e.server.clientCount).toBe(3)
    await clean.close()
    abrupt.socket.terminate()
    await sleep(100)
    expect(e.server.clientCount).toBe(1)
    stays.received.length = 0
    await stays.frame()
    await stays.frame()
  })

  it('closes every client with 1001 when the server stops', async () => {
    const e = await engine()
    const a = await connect(e)
    const b = await connect(e)
    await e.server.stop()
    expect(await a.closed).toBe(1001)
    expect(await b.closed).toBe(1001)
  })
})

describe('telemetry rate', () => {
  it('streams at telemetry_hz within 10% over 5 s, decoupled from rate_hz', async () => {
    const fast = await engine(SEED('mode: realtime\n  rate_hz: 1000', 50))
    const slow = await engine(SEED('mode: realtime\n  rate_hz: 10', 50))
    const a = await connect(fast)
    const b = await connect(slow)
    for (const [c] of [[a], [b]] as const) {
      await c.json()
      c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
      await c.json()
      await c.frame()
      c.received.length = 0
    }
    await sleep(5000)
    const frames = (c: RawClient) => c.received.filter((r) => r.kind === 'binary').length
    expect(frames(a)).toBeGreaterThanOrEqual(225)
    expect(frames(a)).toBeLessThanOrEqual(275)
    expect(frames(b)).toBeGreaterThanOrEqual(225)
    expect(frames(b)).toBeLessThanOrEqual(275)
  }, 20_000)
})

describe('end_time', () => {
  it('tells every client the run ended, and stays up for inspection', async () => {
    const e = await engine(SEED('mode: afap\n  rate_hz: 100\n  end_time: 0.5\n  start_paused: true'))
    const c = await connect(e)
    await c.json()
    c.send({ action: 'resume' })
    const messages = [await c.json(), await c.json(), await c.json()]
    expect(messages).toContainEqual({ type: 'event', event: 'ended', frame: 50, time: 0.5 })
    c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
    await c.json()
    const frame = await c.frame()
    expect(Number(frame.frame)).toBe(50)
    c.send({ action: 'resume' })
    expect(await c.json()).toEqual({ type: 'error', message: 'the run has reached end_time; reset to run it again' })
  })
})

describe('origin check', () => {
  it('accepts clients without Origin, the server own origin and the allow-list; refuses others', async () => {
    const e = await engine(SEED(), { allowedOrigins: ['http://localhost:5173'] })
    await expect(connect(e)).resolves.toBeDefined()
    await expect(connect(e, { Origin: `http://127.0.0.1:${e.server.port}` })).resolves.toBeDefined()
    await expect(connect(e, { Origin: 'http://localhost:5173' })).resolves.toBeDefined()
    await expect(connect(e, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403')
    await expect(connect(e, { Origin: `http://127.0.0.1:${e.server.port + 1}` })).rejects.toThrow('HTTP 403')
  })
})

function httpStatus(port: number, host: string, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', reject)
  })
}

describe('Host check (DNS rebinding)', () => {
  it('refuses a rebinding name for the upgrade and for HTTP, however the Origin matches; loopback names pass', async () => {
    const e = await engine()
    const port = e.server.port
    const rebind = `rebind.test:${port}`
    await expect(connect(e, { Host: rebind, Origin: `http://${rebind}` })).rejects.toThrow('HTTP 403')
    await expect(connect(e, { Host: rebind })).rejects.toThrow('HTTP 403')
    expect(await httpStatus(port, rebind)).toBe(403)
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect(await httpStatus(port, host)).toBe(200)
      const c = await connect(e, { Host: host, Origin: `http://${host}` })
      expect((await c.json()).type).toBe('schema')
    }
  })

  it('accepts the names in server.allowed_hosts', async () => {
    const e = await engine(SEED(), { allowedHosts: ['sim.lab.example'] })
    expect(await httpStatus(e.server.port, `sim.lab.example:${e.server.port}`)).toBe(200)
    expect(await httpStatus(e.server.port, `other.lab.example:${e.server.port}`)).toBe(403)
  })
})

describe('extensions, opt-in only', () => {
  it('never sends a seed client anything it did not ask for', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['*'] } })
    await c.json()
    await sleep(1200)
    const types = new Set(c.drainJson().map((m) => m.type))
    expect([...types]).toEqual([])
  })

  it('hello turns on the extended schema and request ids', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'hello', id: 7 })
    const ack = await c.json()
    expect(ack).toMatchObject({ type: 'ack', action: 'hello', extensions: ['schema', 'ids'], id: 7 })
    expect(ack.actions).toEqual(expect.arrayContaining(['subscribe', 'pause', 'ping', 'status']))
    const schema = await c.json()
    expect(schema).toMatchObject({ type: 'schema', mode: 'realtime', rate_hz: 100, dt_ns: 10_000_000, telemetry_hz: 60, state: 'running', end_time: null })
    expect(typeof schema.run_id).toBe('string')
    const vehicle = (schema.modules as Record<string, { signals: unknown[]; kind: string; rate_hz: number }>).vehicle!
    expect(vehicle.signals[0]).toEqual({ name: 'position.x', type: 'f64', unit: 'm', writable: false, description: '' })
    expect(vehicle).toMatchObject({ kind: 'inproc', model: 'point_mass', rate_hz: 100 })
    c.send({ action: 'set', params: { signal: 'nope.x', value: 1 }, id: 'a1' })
    expect(await c.json()).toEqual({ type: 'error', message: 'Unknown signal: nope.x', action: 'set', id: 'a1' })
  })

  it('answers ping with the server clock and status with run metrics', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'ping', params: { client_time: 123.5 } })
    const pong = await c.json()
    expect(pong).toMatchObject({ type: 'pong', client_time: 123.5 })
    expect(Math.abs((pong.server_time as number) - Date.now())).toBeLessThan(1000)
    // Metrics need two windows of half a second.
    await sleep(1300)
    c.send({ action: 'status' })
    const status = await c.json()
    expect(status).toMatchObject({ type: 'status', state: 'running', clients: 1, skipped_frames: 0, skipped_frames_total: 0 })
    expect(status.modules).toEqual([
      { name: 'vehicle', step_us: expect.any(Number) },
      { name: 'controller', step_us: expect.any(Number) }
    ])
    // A realtime run at 100 Hz: about one simulated second per second, about 100 frames per second.
    expect(status.realtime_factor).toBeGreaterThan(0.8)
    expect(status.realtime_factor).toBeLessThan(1.2)
    expect(status.frames_per_second).toBeGreaterThan(80)
    expect(status.frames_per_second).toBeLessThan(120)
  })

  it('subscribe_status pushes status at its rate; subscribe options set a per-client rate and JSON telemetry', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe_status', params: { rate_hz: 5 } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe_status', rate_hz: 5 })
    c.send({ action: 'subscribe', params: { signals: ['vehicle.velocity.*'], rate_hz: 10, encoding: 'json' } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 2, signals: ['vehicle.velocity.x', 'vehicle.velocity.y'], rate_hz: 10, encoding: 'json' })
    c.received.length = 0
    await sleep(2000)
    const messages = c.drainJson()
    const telemetry = messages.filter((m) => m.type === 'telemetry')
    const statuses = messages.filter((m) => m.type === 'status')
    expect(telemetry.length).toBeGreaterThanOrEqual(17)
    expect(telemetry.length).toBeLessThanOrEqual(23)
    expect(statuses.length).toBeGreaterThanOrEqual(8)
    expect(statuses.length).toBeLessThanOrEqual(12)
    expect(telemetry[0]).toMatchObject({ type: 'telemetry', values: [1.0, 0.5] })
    expect(c.received.filter((r) => r.kind === 'binary')).toHaveLength(0)
  })
})

describe('HermesClient, the TypeScript client', () => {
  it('connects, subscribes, decodes frames and drives the run', async () => {
    const e = await engine()
    const client = await HermesClient.connect(e.url, { WebSocket: WebSocket as never })
    expect(client.extended).toBe(true)
    expect(client.signals).toEqual(ALL)
    const ack = await client.subscribe(['vehicle.*'])
    expect(ack.count).toBe(4)
    const frame = await new Promise<{ frame: number; values: Float64Array }>((resolve) => {
      const off = client.on('frame', (f) => {
        off()
        resolve(f)
      })
    })
    expect(Array.from(frame.values.subarray(2))).toEqual([1.0, 0.5])
    await client.pause()
    const stepped = await client.step(5)
    expect(stepped.count).toBe(5)
    await expect(client.set('vehicle.position.x', 1)).rejects.toThrow('Signal not writable: vehicle.position.x')
    expect((await client.set('controller.input', 2)).value).toBe(2)
    const { rttMs } = await client.ping()
    expect(rttMs).toBeGreaterThan(0)
    client.close()
  })
})
