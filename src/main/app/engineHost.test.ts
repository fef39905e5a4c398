import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient } from '../engine/server/testing'
import { RecordingReader } from '../engine/recording/reader'
import { EngineHost, type HostOptions, type RecordingPolicy } from './engineHost'

const dir = mkdtempSync(join(tmpdir(), 'hermes-host-'))
function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const FIRST = file(
  'first.yaml',
  `modules:
  clock: { type: inproc, model: signal_generator, options: { waveform: ramp } }
execution: { mode: realtime, rate_hz: 100 }
server: { enabled: true, telemetry_hz: 50 }
`
)
const SECOND = file(
  'second.yaml',
  `modules:
  knob: { type: inproc, model: injection, signals: [{ name: level, initial: 7 }] }
  clock: { type: inproc, model: signal_generator, options: { waveform: constant, offset: 3 } }
execution: { mode: realtime, rate_hz: 100 }
`
)
const PAUSED = file(
  'paused.yaml',
  `modules:
  clock: { type: inproc, model: signal_generator, options: { waveform: ramp } }
execution: { mode: realtime, rate_hz: 100, start_paused: true }
`
)
file(
  'thrower.mjs',
  `let n
export const signals = [{ name: 'n' }]
export function init(ctx) { n = ctx.signal('n') }
export function step(t) {
  if (t.frame === 5) throw new Error('thrown on purpose')
  n.value = t.frame
}
`
)
const FAULTY = file('faulty.yaml', 'modules:\n  thrower: { type: script, script: ./thrower.mjs }\nexecution: { mode: afap, rate_hz: 100, start_paused: true }\n')
const BROKEN = file('broken.yaml', 'modules:\n  knob: { type: inproc, model: injection }\nexecution:\n  rate_hz: 0\n')

const options: HostOptions = { port: 0, host: '127.0.0.1', staticDir: null, allowedOrigins: [], serverName: 'test' }
const hosts: EngineHost[] = []
const clients: RawClient[] = []

async function start(path = FIRST, extra: Partial<HostOptions> = {}): Promise<EngineHost> {
  const host = await EngineHost.start(path, { ...options, ...extra })
  hosts.push(host)
  return host
}

async function client(host: EngineHost): Promise<RawClient> {
  const c = await RawClient.open(host.server.url)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate()
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

describe('EngineHost: the desktop app engine in plain Node', () => {
  it('opens a valid file in place of the running one; a connected client stays and gets the new schema', async () => {
    const host = await start()
    const c = await client(host)
    expect(await c.json()).toEqual({ type: 'schema', modules: { clock: { signals: [{ name: 'out', type: 'f64', unit: '', writable: false }] } }, wiring: [] })
    c.send({ action: 'subscribe', params: { signals: ['*'] } })
    await c.json()
    await c.frame()
    const changes: string[] = []
    host.onChange((s) => changes.push(s.file))
    const port = host.state.port
    expect(await host.open(SECOND)).toEqual({ ok: true, file: SECOND, warnings: [] })
    expect(await c.json()).toEqual({
      type: 'schema',
      modules: { knob: { signals: [{ name: 'level', type: 'f64', unit: '', writable: true }] }, clock: { signals: [{ name: 'out', type: 'f64', unit: '', writable: false }] } },
      wiring: []
    })
    // Its '*' subscription now covers the new signals, on the same port, without asking again.
    c.received.length = 0
    const frame = await c.frame()
    expect(Array.from(frame.values)).toEqual([7, 3])
    expect(host.state).toMatchObject({ file: SECOND, port })
    expect(changes).toEqual([SECOND])
    expect(c.closeCode).toBeNull()
  })

  it('keeps the running session untouched when the file is invalid, and says where', async () => {
    const host = await start()
    const c = await client(host)
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['clock.out'] } })
    await c.json()
    const before = await c.frame()
    const result = await host.open(BROKEN)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.errors).toEqual([`${BROKEN}:4:12: execution.rate_hz: rate_hz must be positive`])
    expect(host.state.file).toBe(FIRST)
    await new Promise((r) => setTimeout(r, 200))
    c.received.length = 0
    const after = await c.frame()
    expect(Number(after.frame)).toBeGreaterThan(Number(before.frame))
    expect(c.drainJson().filter((m) => m.type === 'schema')).toEqual([])
  })

  it('reports a file that does not exist', async () => {
    const host = await start()
    const result = await host.open(join(dir, 'nope.yaml'))
    expect(result).toMatchObject({ ok: false, errors: [`${join(dir, 'nope.yaml')}: file not found`] })
  })

  it('reload starts the same file over: frame 0 again and a new run id', async () => {
    // Paused from the start, so the frames are the ones this test steps, on any machine.
    const host = await start(PAUSED)
    const c = await client(host)
    await c.json()
    c.send({ action: 'hello' })
    await c.json()
    const first = await c.json()
    expect(first).toMatchObject({ type: 'schema', state: 'paused', frame: 0 })
    c.send({ action: 'step', params: { count: 25 } })
    expect(await c.json()).toEqual({ type: 'ack', action: 'step', count: 25, frame: 25 })
    expect((await host.reload()).ok).toBe(true)
    const second = await c.json()
    expect(second).toMatchObject({ type: 'schema', state: 'paused', frame: 0 })
    expect(second.run_id).not.toBe(first.run_id)
  })

  it('keeps serving after a module fault: a late client sees the fault, reset restarts the module, open still works', async () => {
    const host = await start(FAULTY)
    const faulted = await client(host)
    await faulted.json()
    faulted.send({ action: 'step', params: { count: 10 } })
    // The module throws at frame 5: clients are told, and the step ends there and says so.
    expect(await faulted.json(20_000)).toMatchObject({ type: 'event', event: 'error', module: 'thrower', frame: 5 })
    expect(await faulted.json()).toEqual({ type: 'event', event: 'paused' })
    expect(await faulted.json()).toEqual({ type: 'ack', action: 'step', count: 10, frame: 5, stepped: 5 })
    const late = await client(host)
    await late.json()
    late.send({ action: 'status' })
    expect(await late.json()).toMatchObject({ type: 'status', state: 'paused', frame: 5, fault: { module: 'thrower', frame: 5 } })
    late.send({ action: 'reset' })
    expect(await late.json(20_000)).toEqual({ type: 'ack', action: 'reset' })
    await late.json()
    late.send({ action: 'status' })
    expect(await late.json()).toMatchObject({ type: 'status', frame: 0, fault: null })
    expect((await host.open(FIRST)).ok).toBe(true)
  })

  it('says which port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as { port: number }).port
    await expect(EngineHost.start(FIRST, { ...options, port })).rejects.toThrow(`port ${port} is already in use`)
    blocker.close()
  })

  it('refuses to start on an invalid first file with every error', async () => {
    await expect(EngineHost.start(BROKEN, options)).rejects.toThrow(`${BROKEN}:4:12: execution.rate_hz: rate_hz must be positive`)
  })
})

describe('EngineHost recording: every run it starts, into the runs folder', () => {
  const recordings = (folder: string): string[] => readdirSync(folder).filter((f) => f.endsWith('.mcap')).sort()
  const policy = (folder: string, extra: Partial<RecordingPolicy> = {}): RecordingPolicy => ({ folder, enabled: true, maxTotalBytes: null, ...extra })
  async function frames(file: string): Promise<number> {
    const reader = await RecordingReader.open(file)
    try {
      let n = 0
      for await (const b of reader.batches()) n += b.frames.length
      return n
    } finally {
      reader.close()
    }
  }
  /** The extended schema a console gets (it says hello). */
  async function schema(host: EngineHost): Promise<Record<string, unknown>> {
    const c = await client(host)
    await c.json()
    c.send({ action: 'hello', id: 1 })
    for (;;) {
      const m = await c.json(20_000)
      if (m.type === 'schema') return m
    }
  }

  it('records the first run and each swap to a new file that holds its frames; a replay is not recorded', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'hermes-host-runs-')), 'runs')
    const host = await start(FIRST, { recording: policy(folder) })
    const first = host.state.recording!
    expect(recordings(folder)).toEqual([first.slice(folder.length + 1)])
    expect(await schema(host)).toMatchObject({ recording: { file: first } })
    const c = await client(host)
    await c.json()
    c.send({ action: 'subscribe', params: { signals: ['*'] } })
    await c.json()
    for (let i = 0; i < 5; i++) await c.frame(20_000)
    expect((await host.open(SECOND)).ok).toBe(true)
    const second = host.state.recording!
    expect(second).not.toBe(first)
    expect(recordings(folder)).toHaveLength(2)
    // The first run stopped with the swap: its file is closed and holds at least the frames a client saw.
    expect(await frames(first)).toBeGreaterThanOrEqual(5)
    expect((await host.open(first)).ok).toBe(true)
    expect(host.state.recording).toBeNull()
    expect((await schema(host)).recording).toBeNull()
    expect(recordings(folder)).toHaveLength(2)
    // The replay stopped the second run: its file is closed too.
    expect(await frames(second)).toBeGreaterThan(0)
  }, 60_000)

  it('retention deletes the oldest recordings at start and when the limit changes, never the one being written', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hermes-host-retention-'))
    const old = (name: string, ageH: number): void => {
      const path = join(folder, name)
      writeFileSync(path, Buffer.alloc(100_000))
      const t = (Date.now() - ageH * 3_600_000) / 1000
      utimesSync(path, t, t)
    }
    old('a-oldest.mcap', 3)
    old('b-older.mcap', 2)
    old('c-old.mcap', 1)
    // 300,000 bytes of old runs and a limit of 250,000 (the new file's few kB included): the oldest goes at start.
    const host = await start(PAUSED, { recording: policy(folder, { maxTotalBytes: 250_000 }) })
    const current = host.state.recording!.slice(folder.length + 1)
    expect(recordings(folder)).toEqual(['b-older.mcap', 'c-old.mcap', current].sort())
    // A limit below the current file alone deletes every other recording; the current one stays.
    host.setRecording(policy(folder, { maxTotalBytes: 1 }))
    expect(recordings(folder)).toEqual([current])
    expect(statSync(join(folder, current)).size).toBeGreaterThan(1)
  }, 60_000)

  it('records nothing when recording is off, and the YAML wins where it says enabled: false or names a path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hermes-host-off-'))
    const host = await start(PAUSED, { recording: policy(folder, { enabled: false }) })
    expect(host.state.recording).toBeNull()
    expect((await schema(host)).recording).toBeNull()
    // Off and on apply from the next run: back on, the current run stays unrecorded, the next one records.
    host.setRecording(policy(folder))
    expect(host.state.recording).toBeNull()
    const elsewhere = join(dir, 'own-runs')
    const own = file('own.yaml', `modules:\n  clock: { type: inproc, model: signal_generator }\nexecution: { mode: realtime, rate_hz: 100, start_paused: true }\nrecording: { path: ${JSON.stringify(elsewhere)} }\n`)
    expect((await host.open(own)).ok).toBe(true)
    expect(host.state.recording!.startsWith(`${elsewhere}/`)).toBe(true)
    const never = file('never.yaml', 'modules:\n  clock: { type: inproc, model: signal_generator }\nexecution: { mode: realtime, rate_hz: 100, start_paused: true }\nrecording: { enabled: false }\n')
    expect((await host.open(never)).ok).toBe(true)
    expect(host.state.recording).toBeNull()
    expect(recordings(folder)).toEqual([])
    expect(recordings(elsewhere)).toHaveLength(1)
  }, 60_000)
})
