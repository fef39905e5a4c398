import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { Agent, get, request, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { HermesClient } from '../../../shared/client/hermesClient'
import { parseConfig } from '../config/load'
import type { ModuleFault } from '../scheduler/scheduler'
import { Session } from '../session'
import { RawClient, serveRun, startEngine, until, type Engine } from './testing'

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
  it('sends the schema first, grouped under the config module, published signals only, with unit, writable and wiring', async () => {
    const c = await connect(await engine())
    // Seed 000's fields exactly, plus the additive unit, writable and wiring of Hermes's phase-3 server.
    expect(await c.json()).toEqual({
      type: 'schema',
      modules: {
        vehicle: {
          signals: [
            { name: 'position.x', type: 'f64', unit: 'm', writable: false },
            { name: 'position.y', type: 'f64', unit: 'm', writable: false },
            { name: 'velocity.x', type: 'f64', unit: 'm/s', writable: false },
            { name: 'velocity.y', type: 'f64', unit: 'm/s', writable: false }
          ]
        },
        controller: { signals: [{ name: 'input', type: 'f64', unit: '', writable: true }, { name: 'gain', type: 'f64', unit: '', writable: false }] }
      },
      wiring: []
    })
  })

  it('gives a client that never says hello the wiring between published signals, and no extension fields', async () => {
    const yaml = SEED().replace('execution:', 'wiring:\n  - { src: vehicle.position.x, dst: controller.input, gain: 2, offset: 0.5 }\n  - { src: vehicle.force.x, dst: controller.input }\nexecution:')
    const c = await connect(await engine(yaml))
    const schema = await c.json()
    expect(schema.wiring).toEqual([{ src: 'vehicle.position.x', dst: 'controller.input', gain: 2, offset: 0.5 }])
    expect(Object.keys(schema).sort()).toEqual(['modules', 'type', 'wiring'])
    const vehicle = (schema.modules as Record<string, Record<string, unknown>>).vehicle!
    expect(Object.keys(vehicle)).toEqual(['signals'])
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
    // Nothing streams before a subscription, so the first message of any kind is the ack.
    const ack = await c.take((r) => r.kind === 'text' || r.kind === 'binary')
    expect(ack).toMatchObject({ kind: 'text', json: { type: 'ack', action: 'subscribe', count: 3 } })
    const frame = await c.frame()
    expect(Array.from(frame.values)).toEqual([0.5, 1.0, 3])
    // Frame number and time belong together: time = frame * dt.
    expect(frame.time).toBeCloseTo(Number(frame.frame) * 0.01, 9)
    // A new subscription while frames flow: its ack comes before any frame of its shape, none after it has the old one.
    await c.frame()
    c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
    for (let r = await c.next(); r.kind === 'binary'; r = await c.next()) expect(r.frame.values.length).toBe(3)
    for (let i = 0; i < 5; i++) {
      const r = await c.next()
      expect(r.kind === 'binary' && r.frame.values.length).toBe(1)
    }
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
    // Ticks, not time: once the empty subscription has had several frames, the silent client has had none.
    for (let i = 0; i < 5; i++) expect((await empty.frame()).values.length).toBe(0)
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

describe('the extended schema', () => {
  it('carries a fault that happened while its snapshot was taken, whose event went out before it', async () => {
    const session = await Session.start(parseConfig(SEED(), 'test.yaml', { checkFiles: false }).config)
    const fault: ModuleFault = { module: 'vehicle', frame: 7, message: 'exited with code 3 during step' }
    let faulted = false
    // The run's own scheduler, except that the module fails while a snapshot is on its way back.
    const scheduler = new Proxy(session.scheduler, {
      get(target, key) {
        if (key === 'fault') return faulted ? fault : target.fault
        if (key === 'snapshot') {
          return async () => {
            const snap = await target.snapshot()
            faulted = true
            return snap
          }
        }
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      }
    })
    const served = await serveRun({ config: session.config, scheduler, stop: () => session.stop() })
    engines.push({ session, ...served })
    const c = await RawClient.open(served.url)
    clients.push(c)
    expect(await c.json()).toMatchObject({ type: 'schema' })
    expect(faulted).toBe(false)
    c.send({ action: 'hello' })
    expect(await c.json()).toMatchObject({ type: 'ack', action: 'hello' })
    expect(await c.json()).toMatchObject({ type: 'schema', fault })
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
    ['set with a list', { action: 'set', params: { signal: 'controller.input', value: [1, [2]] } }, 'Invalid value: array [1,[2]] (expected a finite number)'],
    ['set with a signal not a string', { action: 'set', params: { signal: 3, value: 1 } }, "set 'signal' must be a string"],
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

  it('by default serves a burst of 1,000 messages, refuses exactly the 1,001st with one error, drops the rest, and serves again later', async () => {
    // The rate limit's clock is frozen, so the bucket refills only when the test says: no timing involved.
    let now = 0
    const e = await engine(SEED(), { now: () => now })
    const c = await connect(e)
    await c.json()
    c.send({ action: 'hello', params: { extensions: ['ids'] }, id: 'h' })
    expect(await c.json()).toMatchObject({ type: 'ack', action: 'hello', id: 'h' })
    // 999 more pass (the hello took one token), then 1,001st to 1,500th are over the limit.
    for (let i = 2; i <= 1500; i++) c.send({ action: 'ping', id: i })
    const replies: Record<string, unknown>[] = []
    for (let i = 2; i <= 1001; i++) replies.push(await c.json())
    expect(replies.slice(0, 999).every((r, i) => r.type === 'pong' && r.id === i + 2)).toBe(true)
    // The first refused message gets the error, with its id and action; the 499 after it within the second get nothing.
    expect(replies[999]).toEqual({ type: 'error', message: 'Too many messages: at most 500 per second; messages over the limit are dropped, with one error a second', action: 'ping', id: 1001 })
    await until(() => e.server.droppedMessages === 499, 'the rest of the burst to be dropped')
    now += 1000
    c.send({ action: 'ping', id: 'after' })
    expect(await c.json()).toMatchObject({ type: 'pong', id: 'after' })
    expect(c.drainJson()).toEqual([])
  })

  it('gives the rate-limit error no id for a binary frame, and at most one error a second', async () => {
    let now = 0
    const e = await engine(SEED(), { commandsPerSecond: 1, now: () => now })
    const c = await connect(e)
    await c.json()
    c.send({ action: 'hello', id: 1 })
    await c.json()
    await c.json()
    c.send({ action: 'ping', id: 2 })
    expect(await c.json()).toMatchObject({ type: 'pong', id: 2 })
    c.socket.send(Buffer.from([1, 2, 3]))
    c.send({ action: 'ping', id: 3 })
    expect(await c.json()).toEqual({ type: 'error', message: 'Too many messages: at most 1 per second; messages over the limit are dropped, with one error a second' })
    // The clock moves only once the server has dropped what it must have dropped by then.
    await until(() => e.server.droppedMessages === 1, 'ping 3 to be dropped')
    now += 999
    c.send({ action: 'ping', id: 4 })
    await until(() => e.server.droppedMessages === 2, 'ping 4 to be dropped')
    now += 1
    // 4 was dropped unanswered (within the second of the last error); the bucket now holds one token again.
    c.send({ action: 'ping', id: 5 })
    c.send({ action: 'status', id: 6 })
    expect(await c.json()).toMatchObject({ type: 'pong', id: 5 })
    expect(await c.json()).toEqual({ type: 'error', message: 'Too many messages: at most 1 per second; messages over the limit are dropped, with one error a second', action: 'status', id: 6 })
  })
})

const noControls = (text: string): boolean => [...text].every((ch) => ch.charCodeAt(0) >= 0x20)

describe('hostile input', () => {
  it('refuses at once what would wait past the pending bound behind a slow command, and then serves in order', async () => {
    // A module whose step takes a second holds every frame boundary, so a status waits for it.
    const dir = mkdtempSync(join(tmpdir(), 'hermes-slow-'))
    const script = join(dir, 'slow.mjs')
    writeFileSync(script, `let out
export const signals = [{ name: 'out' }]
export function init(ctx) { out = ctx.signal('out') }
export function step(t) { const end = Date.now() + 1000; while (Date.now() < end); out.value = t.frame }
`)
    const e = await engine(`
modules:
  slow: { type: script, script: ${JSON.stringify(script)}, signals: [{ name: out }] }
execution: { mode: afap, rate_hz: 100 }
`, { maxPendingBytes: 100_000 })
    const c = await connect(e)
    await c.json()
    // Once one status is answered the loop is in its next (one-second) frame, so the next status waits.
    c.send({ action: 'status' })
    expect(await c.json(60_000)).toMatchObject({ type: 'status' })
    c.send({ action: 'status' })
    const pad = 'x'.repeat(30_000)
    for (let i = 0; i < 10; i++) c.send({ action: 'ping', params: { client_time: i, pad } })
    // Three pings fit behind the status (90 kB); the fourth is refused before it is done; the rest are dropped.
    expect(await c.json()).toEqual({ type: 'error', message: 'Too many commands waiting: at most 100000 bytes of messages may wait for a slow command; messages over it are dropped, with one error a second' })
    expect(await c.json(60_000)).toMatchObject({ type: 'status' })
    for (let i = 0; i < 3; i++) expect(await c.json(60_000)).toMatchObject({ type: 'pong', client_time: i })
    c.send({ action: 'ping', params: { client_time: 99 } })
    expect(await c.json(60_000)).toMatchObject({ type: 'pong', client_time: 99 })
  }, 90_000)

  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`

  it('describes a value or an action nested 10,000 deep without serialising it, and keeps the connection', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'hello', params: { extensions: ['ids'] } })
    await c.json()
    c.send(`{"action":"set","params":{"signal":"x","value":${deep(10_000)}}}`)
    const value = await c.json()
    expect(value.message).toMatch(/^Invalid value: array \[\[\[.*… \(expected a finite number\)$/)
    expect(String(value.message).length).toBeLessThan(200)
    c.send(`{"action":${deep(10_000)},"id":9}`)
    const action = await c.json()
    expect(action).toMatchObject({ type: 'error', id: 9 })
    expect(String(action.message)).toMatch(/^Unknown action: array \[\[/)
    expect(String(action.action).length).toBeLessThan(250)
    c.send({ action: 'pause' })
    expect(await c.json()).toMatchObject({ type: 'ack', action: 'pause' })
  })

  it('bounds and escapes what it echoes: long or control-laden actions, signals, strings and bad JSON', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'hello', params: { extensions: ['ids'] } })
    await c.json()
    const long = `jump\n\u001b[31m${'x'.repeat(100_000)}`
    c.send({ action: long })
    const unknown = await c.json()
    expect(String(unknown.message).startsWith('Unknown action: jump\\n\\u001b[31mxxx')).toBe(true)
    expect(String(unknown.message).length).toBeLessThan(250)
    expect(String(unknown.action).length).toBeLessThan(250)
    expect(String(unknown.action)).toSatisfy(noControls)
    c.send({ action: 'set', params: { signal: `a\r\n${'y'.repeat(50_000)}`, value: 1 } })
    const signal = await c.json()
    expect(String(signal.message).startsWith('Unknown signal: a\\r\\nyyy')).toBe(true)
    expect(String(signal.message).length).toBeLessThan(250)
    c.send({ action: 'set', params: { signal: 'controller.input', value: `\u0007${'z'.repeat(50_000)}` } })
    const value = await c.json()
    expect(String(value.message).startsWith('Invalid value: "\\u0007zzz')).toBe(true)
    expect(String(value.message).length).toBeLessThan(250)
    c.send(`{"action": \u0001 ${'w'.repeat(10_000)}`)
    const json = await c.json()
    expect(String(json.message).startsWith('Invalid JSON: ')).toBe(true)
    expect(String(json.message)).toSatisfy(noControls)
    expect(String(json.message).length).toBeLessThan(250)
  })

  it('parses 100,000-deep JSON that is not a command and answers it', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send(deep(100_000))
    expect(await c.json()).toEqual({ type: 'error', message: 'Command must be a JSON object' })
    c.send(`{"action":"subscribe","params":{"signals":${deep(10_000)}}}`)
    expect(await c.json()).toEqual({ type: 'error', message: "subscribe 'signals' must contain only strings" })
  })

  it('bounds the patterns of a subscribe, and answers 10,000 "*" as one', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: Array.from({ length: 10_001 }, () => '*') } })
    expect(await c.json()).toEqual({ type: 'error', message: "subscribe 'signals' has 10001 entries: at most 10000 are allowed" })
    c.send({ action: 'subscribe', params: { signals: Array.from({ length: 10_000 }, (_, i) => (i % 2 ? '*' : 'vehicle.*')) } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 6, signals: ['vehicle.position.x', 'vehicle.position.y', 'vehicle.velocity.x', 'vehicle.velocity.y', 'controller.input', 'controller.gain'] })
  })
})

describe('limits on clients', () => {
  it('refuses connections past server.max_clients with HTTP 503 and a reason, and accepts again when one leaves', async () => {
    const e = await engine(SEED().replace('  enabled: true', '  enabled: true\n  max_clients: 2'))
    const a = await connect(e)
    await connect(e)
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(e.url)
      ws.once('open', () => reject(new Error('a third client was accepted')))
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
    })
    expect(refused).toEqual({ status: 503, body: 'Too many clients: at most 2 connections (server.max_clients)\n' })
    await a.close()
    await until(() => e.server.clientCount === 1, 'the server to forget the closed client')
    const c = await connect(e)
    expect((await c.json()).type).toBe('schema')
  })

  it('closes a client that never reads with 1008 at the backlog bound, whatever it asks for', async () => {
    // A schema of 2,000 signals is about 100 kB: each hello asks for one, so the backlog grows fast.
    const many = Array.from({ length: 2000 }, (_, i) => `      - { name: s${i}, unit: m }`).join('\n')
    const warnings: string[] = []
    const log = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) }
    const bound = 1024 * 1024
    const e = await engine(`
modules:
  bulk:
    type: inproc
    model: injection
    signals:
${many}
execution: { mode: realtime, rate_hz: 100 }
`, { maxBacklogBytes: bound, commandsPerSecond: 1_000_000, log: log as never })
    const c = await connect(e)
    await c.json()
    c.socket.pause()
    const hello = JSON.stringify({ action: 'hello' })
    // Far more than kernel buffers and the bound hold: about 50 MB of schemas if they were all queued.
    for (let i = 0; i < 500 && c.closeCode === null; i++) c.socket.send(hello)
    await until(() => warnings.some((w) => w.includes('is not reading')), 'the server to close the client')
    const warning = warnings.find((w) => w.includes('is not reading'))!
    // The backlog never grew past the bound by more than one message (one schema plus its ack).
    const unsent = Number(/(\d+) bytes unsent/.exec(warning)![1])
    expect(unsent).toBeGreaterThan(bound)
    expect(unsent).toBeLessThan(bound + 200_000)
    expect(warning).toContain('closing it with 1008')
    c.socket.resume()
    expect(await c.closed).toBe(1008)
    await until(() => e.server.clientCount === 0, 'the server to forget the client')
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
    const probe = await HermesClient.connect(e.url, { WebSocket: WebSocket as never })
    await until(async () => (await probe.status()).skipped_frames_total > 0, 'frames to be skipped', 60_000)
    probe.close()
    // The healthy client is not held up: it keeps getting frames, and none were skipped for it.
    healthy.received.length = 0
    const numbers: bigint[] = []
    for (let i = 0; i < 10; i++) numbers.push((await healthy.frame()).frame)
    // Two ticks may see the same frame of a 100 Hz run; never an older one.
    expect(numbers.every((n, i) => i === 0 || n >= numbers[i - 1]!)).toBe(true)
    healthy.send({ action: 'status' })
    const healthyStatus = await healthy.json()
    expect(healthyStatus.skipped_frames).toBe(0)
    expect(healthyStatus.skipped_frames_total).toBeGreaterThan(0)
    // Once it reads again, the stalled client gets whole, valid frames: skipping never cuts one.
    stalled.socket.resume()
    const frame = await stalled.frame()
    expect(frame.values.length).toBe(10_000)
    // Its own count is the frames it missed: more than none, and within the server's total.
    stalled.send({ action: 'status' })
    const stalledStatus = await stalled.json(30_000)
    expect(stalledStatus.skipped_frames).toBeGreaterThan(0)
    expect(stalledStatus.skipped_frames).toBeLessThanOrEqual(stalledStatus.skipped_frames_total as number)
    expect(stalledStatus.skipped_frames_total).toBeGreaterThanOrEqual(healthyStatus.skipped_frames_total as number)
  }, 120_000)

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
    await until(() => e.server.clientCount === 1, 'the server to forget both clients')
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
  // The rate itself (frames per second against telemetry_hz) is measured by `npm run bench server`.
  it('sends frames at ticks of its own, decoupled from rate_hz: a slow run repeats frames, a fast one skips numbers', async () => {
    const fast = await engine(SEED('mode: realtime\n  rate_hz: 1000', 50))
    const slow = await engine(SEED('mode: realtime\n  rate_hz: 5', 50))
    const numbers = async (e: Engine): Promise<bigint[]> => {
      const c = await connect(e)
      await c.json()
      c.send({ action: 'subscribe', params: { signals: ['vehicle.position.x'] } })
      await c.json()
      const seen: bigint[] = []
      for (let i = 0; i < 40; i++) seen.push((await c.frame()).frame)
      return seen
    }
    const [a, b] = await Promise.all([numbers(fast), numbers(slow)])
    const steps = (xs: bigint[]) => xs.slice(1).map((x, i) => x - xs[i]!)
    // Never backwards; the fast run moves many frames between two telemetry frames, the slow one often none.
    expect(steps(a).every((d) => d >= 0n)).toBe(true)
    expect(steps(a).some((d) => d > 1n)).toBe(true)
    expect(steps(b).every((d) => d >= 0n)).toBe(true)
    expect(steps(b).some((d) => d === 0n)).toBe(true)
  }, 60_000)
})

describe('one snapshot, one encoding per subscription', () => {
  it('encodes each distinct subscription once per tick and sends its clients the same bytes', async () => {
    const encodes: [number, string][] = []
    const e = await engine(SEED(), { onEncode: (tick: number, key: string) => void encodes.push([tick, key]) })
    const [a, b, c] = await Promise.all([connect(e), connect(e), connect(e)])
    for (const x of [a, b, c]) await x.json()
    a.send({ action: 'subscribe', params: { signals: ['vehicle.*'] } })
    b.send({ action: 'subscribe', params: { signals: ['vehicle.position.*', 'vehicle.velocity.*'] } })
    c.send({ action: 'subscribe', params: { signals: ['controller.*'] } })
    for (const x of [a, b, c]) await x.json()
    encodes.length = 0
    for (const x of [a, b, c]) x.received.length = 0
    const fa = new Map<bigint, number[]>()
    const fb = new Map<bigint, number[]>()
    for (let i = 0; i < 10; i++) {
      const [x, y] = await Promise.all([a.frame(), b.frame(), c.frame()])
      fa.set(x.frame, Array.from(x.values))
      fb.set(y.frame, Array.from(y.values))
    }
    // a and b resolve to the same slots: one key for both. Two distinct subscriptions, never encoded twice in a tick.
    const keys = new Set(encodes.map(([, k]) => k))
    expect(keys.size).toBe(2)
    const pairs = encodes.map(([f, k]) => `${f}/${k}`)
    expect(new Set(pairs).size).toBe(pairs.length)
    const common = [...fa.keys()].filter((f) => fb.has(f))
    expect(common.length).toBeGreaterThan(0)
    for (const f of common) expect(fb.get(f)).toEqual(fa.get(f))
  })

  it('gives a binary and a JSON client on the same signals the same values for the same frame', async () => {
    const e = await engine()
    const bin = await connect(e)
    const json = await connect(e)
    await bin.json()
    await json.json()
    bin.send({ action: 'subscribe', params: { signals: ['vehicle.*', 'controller.gain'] } })
    json.send({ action: 'subscribe', params: { signals: ['vehicle.*', 'controller.gain'], encoding: 'json' } })
    await bin.json()
    await json.json()
    const fromBinary = new Map<number, number[]>()
    const fromJson = new Map<number, number[]>()
    const common = () => [...fromBinary.keys()].filter((f) => fromJson.has(f))
    while (common().length < 5) {
      const [f, t] = await Promise.all([bin.frame(), json.json()])
      fromBinary.set(Number(f.frame), Array.from(f.values))
      expect(t.type).toBe('telemetry')
      fromJson.set(t.frame as number, t.values as number[])
    }
    for (const f of common()) expect(fromJson.get(f)).toEqual(fromBinary.get(f))
  })
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

  it("accepts any origin with allowed_origins: ['*'] (documented: it turns the check off)", async () => {
    const e = await engine(SEED(), { allowedOrigins: ['*'] })
    const c = await connect(e, { Origin: 'http://evil.example' })
    expect((await c.json()).type).toBe('schema')
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

describe('stopping', () => {
  it('is not held open by a browser: a keep-alive HTTP connection or a reconnect during the stop', async () => {
    const e = await startEngine(SEED())
    const agent = new Agent({ keepAlive: true })
    // A kept-alive connection, idle after its page was served, as a browser leaves it.
    await new Promise<void>((resolve, reject) => {
      get({ host: '127.0.0.1', port: e.server.port, path: '/', agent }, (res) => {
        res.resume()
        res.on('end', () => resolve())
      }).on('error', reject)
    })
    const c = await RawClient.open(e.url)
    await c.json()
    const stopped = e.stop()
    // The console reconnects as soon as it is told the server goes away: it is turned away, not kept.
    const late = RawClient.open(e.url).then(
      (client) => client.socket.terminate(),
      (error: Error) => error.message
    )
    await stopped
    expect(await late).toMatch(/HTTP 503|ECONNREFUSED|socket hang up|closed/)
    agent.destroy()
  })
})

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

function httpHeaders(port: number, host: string, path = '/', method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: host } }, (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, headers: res.headers })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('security headers', () => {
  const expectSecure = (headers: IncomingHttpHeaders): void => {
    expect(headers['x-frame-options']).toBe('DENY')
    expect(headers['referrer-policy']).toBe('no-referrer')
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(String(headers['content-security-policy'])).toContain("frame-ancestors 'none'")
  }

  it('sends them on every response: the page, not found, wrong method, refused Host, not built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-static-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>')
    const built = await engine(SEED(), { staticDir: dir })
    const notBuilt = await engine()
    const here = (e: Engine) => `127.0.0.1:${e.server.port}`
    const responses = [
      [200, await httpHeaders(built.server.port, here(built))],
      [404, await httpHeaders(built.server.port, here(built), '/nope.js')],
      [405, await httpHeaders(built.server.port, here(built), '/', 'POST')],
      [403, await httpHeaders(built.server.port, `rebind.test:${built.server.port}`)],
      [200, await httpHeaders(notBuilt.server.port, here(notBuilt))]
    ] as const
    for (const [status, response] of responses) {
      expect(response.status).toBe(status)
      expectSecure(response.headers)
    }
    // connect-src: this server (its ws:// form too), never any ws: at all; a refused Host is not echoed.
    const csp = String(responses[0][1].headers['content-security-policy'])
    expect(csp).toContain(`connect-src 'self' ws://${here(built)} wss://${here(built)};`)
    expect(String(responses[3][1].headers['content-security-policy'])).toContain("connect-src 'self';")
  })

  it("lets the page connect to the server its ?server= names (the console asks first), and to nothing a bad one smuggles", async () => {
    const e = await engine()
    const host = `127.0.0.1:${e.server.port}`
    const csp = async (path: string) => String((await httpHeaders(e.server.port, host, path)).headers['content-security-policy'])
    expect(await csp(`/?server=${encodeURIComponent('ws://sim.lab.example:8765/path')}`)).toContain(`connect-src 'self' ws://${host} wss://${host} ws://sim.lab.example:8765;`)
    expect(await csp(`/?server=${encodeURIComponent("ws://x; script-src 'unsafe-inline'")}`)).toContain(`connect-src 'self' ws://${host} wss://${host};`)
    expect(await csp(`/?server=${encodeURIComponent('http://other.example')}`)).toContain(`connect-src 'self' ws://${host} wss://${host};`)
  })
})

describe('extensions, opt-in only', () => {
  it('never sends a seed client anything it did not ask for', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['*'] } })
    await c.json()
    // Counted in frames: more than a second of telemetry at 60 Hz, past several status windows.
    const texts: unknown[] = []
    for (let frames = 0; frames < 90; ) {
      const r = await c.next()
      if (r.kind === 'binary') frames++
      else texts.push(r.json)
    }
    expect(texts).toEqual([])
  }, 60_000)

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
    // Not recorded: the extended schema says so (a recorded run names its file: recording/timeline.test.ts).
    expect(schema.recording).toBeNull()
    const vehicle = (schema.modules as Record<string, { signals: unknown[]; kind: string; rate_hz: number }>).vehicle!
    expect(vehicle.signals[0]).toEqual({ name: 'position.x', type: 'f64', unit: 'm', writable: false, description: '' })
    expect(vehicle).toMatchObject({ kind: 'inproc', model: 'point_mass', rate_hz: 100 })
    c.send({ action: 'set', params: { signal: 'nope.x', value: 1 }, id: 'a1' })
    expect(await c.json()).toEqual({ type: 'error', message: 'Unknown signal: nope.x', action: 'set', id: 'a1' })
  })

  it('answers ping with the server clock and status with run metrics', async () => {
    const c = await connect(await engine())
    await c.json()
    const sentAt = Date.now()
    c.send({ action: 'ping', params: { client_time: 123.5 } })
    const pong = await c.json()
    const receivedAt = Date.now()
    expect(pong).toMatchObject({ type: 'pong', client_time: 123.5 })
    // The server's clock is the epoch in ms: it read it between our send and our receipt (a second of slack for clock steps).
    expect(pong.server_time as number).toBeGreaterThanOrEqual(sentAt - 1000)
    expect(pong.server_time as number).toBeLessThanOrEqual(receivedAt + 1000)
    // Metrics need two windows; how close they are to the true rates is measured by `npm run bench server`.
    let status: Record<string, unknown> = {}
    await until(async () => {
      c.send({ action: 'status' })
      status = await c.json()
      return (status.frames_per_second as number) > 0
    }, 'the run metrics')
    expect(status).toMatchObject({ type: 'status', state: 'running', clients: 1, skipped_frames: 0, skipped_frames_total: 0 })
    expect(status.modules).toEqual([
      { name: 'vehicle', step_us: expect.any(Number) },
      { name: 'controller', step_us: expect.any(Number) }
    ])
    expect(status.realtime_factor).toBeGreaterThan(0)
    expect(status.frame as number).toBeGreaterThan(0)
    expect(status.time).toBeCloseTo((status.frame as number) * 0.01, 9)
  }, 60_000)

  it('subscribe_status pushes status at its rate; subscribe options set a per-client rate and JSON telemetry', async () => {
    const c = await connect(await engine())
    await c.json()
    c.send({ action: 'subscribe_status', params: { rate_hz: 5 } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe_status', rate_hz: 5 })
    c.send({ action: 'subscribe', params: { signals: ['vehicle.velocity.*'], rate_hz: 10, encoding: 'json' } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'subscribe', count: 2, signals: ['vehicle.velocity.x', 'vehicle.velocity.y'], rate_hz: 10, encoding: 'json' })
    c.received.length = 0
    // Counts, not rates (the thinning schedule itself is tested in client.test.ts): both streams arrive as JSON.
    const telemetry: Record<string, unknown>[] = []
    const statuses: Record<string, unknown>[] = []
    while (telemetry.length < 5 || statuses.length < 3) {
      const r = await c.next()
      // A client that asked for JSON gets no binary frame.
      expect(r.kind).toBe('text')
      if (r.kind === 'text') (r.json.type === 'telemetry' ? telemetry : statuses).push(r.json)
    }
    expect(statuses.every((m) => m.type === 'status')).toBe(true)
    expect(telemetry[0]).toMatchObject({ type: 'telemetry', values: [1.0, 0.5] })
  }, 60_000)
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
