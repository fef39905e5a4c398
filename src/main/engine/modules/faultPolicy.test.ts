// A module fault in a served run: the server stays up, the fault is named in status and schema, reset
// restarts the module, and execution.on_module_error (pause | stop | restart) does what docs/modules.md says.
import { afterEach, describe, expect, it } from 'vitest'
import { HermesServer } from '../server/server'
import { RawClient } from '../server/testing'
import type { Session } from '../session'
import { MAX_RESTARTS } from '../scheduler/control'
import { Scheduler } from '../scheduler/scheduler'
import { HAS_PROC, HAS_PYTHON, ModuleLab, nextFault, skipNotice, values } from './testing'

let lab: ModuleLab | null = null
const servers: HermesServer[] = []
const clients: RawClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate()
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  await lab?.cleanup()
  lab = null
})

skipNotice(!HAS_PYTHON, 'fault policy tests with Python modules', 'no python3 on PATH (set HERMES_PYTHON)')

/** Late enough for the test's clients to connect first, on a loaded machine too. */
const FAIL_AT = 100

/**
 * Module sources that fail once at frame FAIL_AT (a marker file says it happened), and publish `boot`: a
 * number that differs in each new process, worker or instance, so a restart shows in the values.
 */
const failing = {
  raising: (marker: string) => `import os, random
from hermes_module import Module, run

class M(Module):
    signals = [{"name": "n"}, {"name": "boot"}]
    def init(self):
        self.boot = float(os.getpid()) + random.random()
    def stage(self):
        self.outputs["n"] = 0.0
        self.outputs["boot"] = self.boot
    def step(self, t):
        if t.frame == ${FAIL_AT} and not os.path.exists(${JSON.stringify(marker)}):
            open(${JSON.stringify(marker)}, "w").close()
            raise RuntimeError("sensor went away")
        self.outputs["n"] = t.frame
        self.outputs["boot"] = self.boot

run(M())
`,
  exiting: (marker: string) => `import os, random, sys
from hermes_module import Module, run

class M(Module):
    signals = [{"name": "n"}, {"name": "boot"}]
    def init(self):
        self.boot = float(os.getpid()) + random.random()
    def stage(self):
        self.outputs["n"] = 0.0
        self.outputs["boot"] = self.boot
    def step(self, t):
        if t.frame == ${FAIL_AT} and not os.path.exists(${JSON.stringify(marker)}):
            open(${JSON.stringify(marker)}, "w").close()
            sys.exit(3)
        self.outputs["n"] = t.frame
        self.outputs["boot"] = self.boot

run(M())
`,
  throwing: (marker: string) => `import { existsSync, writeFileSync } from 'node:fs'
const boot = Math.random()
let n, b
export const signals = [{ name: 'n' }, { name: 'boot' }]
export function init(ctx) {
  n = ctx.signal('n')
  b = ctx.signal('boot')
}
export function stage() {
  n.value = 0
  b.value = boot
}
export function step(t) {
  if (t.frame === ${FAIL_AT} && !existsSync(${JSON.stringify(marker)})) {
    writeFileSync(${JSON.stringify(marker)}, '')
    throw new Error('sensor went away')
  }
  n.value = t.frame
  b.value = boot
}
`
} as const

type Kind = keyof typeof failing
const fileName = (kind: Kind): string => (kind === 'throwing' ? 'm.mjs' : 'm.py')

function yaml(kind: Kind, policy: string | null, mode = 'realtime'): string {
  const l = lab!
  const script = l.write(fileName(kind), failing[kind](`${l.dir}/${kind}.failed`))
  return `
modules:
  m: { type: script, script: ${script} }
execution: { mode: ${mode}, rate_hz: 100${policy ? `, on_module_error: ${policy}` : ''} }
`
}

async function serve(session: Session): Promise<HermesServer> {
  const server = await HermesServer.start({ host: '127.0.0.1', port: 0, telemetryHz: 50, staticDir: null, allowedOrigins: [], allowedHosts: [] })
  servers.push(server)
  server.bind(session)
  return server
}

async function connect(server: HermesServer): Promise<RawClient> {
  const c = await RawClient.open(server.url)
  clients.push(c)
  return c
}

/** Waits until the module's output `n` passes `frame` (the run goes on). */
async function until(session: Session, frame: number): Promise<Record<string, number>> {
  for (let i = 0; i < 400; i++) {
    const v = await values(session.scheduler)
    if (v.values['m.n']! > frame) return v.values
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`m.n did not pass ${frame}`)
}

const kinds: Kind[] = ['raising', 'exiting', 'throwing']

describe.each(kinds)('a served run whose module fails (%s), on_module_error unset', (kind) => {
  it.skipIf(kind !== 'throwing' && !HAS_PYTHON)('pauses, keeps serving, names the fault, and reset restarts the module', async () => {
    lab = new ModuleLab()
    const session = lab.track(await (await import('../session')).Session.start(await lab.load(yaml(kind, null)), { serving: true }))
    const faulted = nextFault(session.scheduler, 30_000)
    const server = await serve(session)
    const before = await until(session, 2)
    const fault = await faulted
    expect(fault).toMatchObject({ module: 'm', frame: FAIL_AT })

    // The pause that follows the fault has reached the server once a snapshot has come back.
    expect((await session.scheduler.snapshot()).state).toBe('paused')
    // A client that connects after the fault: schema, then the fault in the extended schema and in status.
    const late = await connect(server)
    expect(await late.json()).toMatchObject({ type: 'schema', modules: { m: {} } })
    late.send({ action: 'hello', params: { extensions: ['schema'] } })
    expect(await late.json()).toMatchObject({ type: 'ack', action: 'hello' })
    expect(await late.json()).toMatchObject({ type: 'schema', state: 'paused', frame: FAIL_AT, fault: { module: 'm', frame: FAIL_AT } })
    late.send({ action: 'status' })
    const status = await late.json()
    expect(status).toMatchObject({ type: 'status', state: 'paused', fault: { module: 'm', frame: FAIL_AT, message: fault.message } })

    late.send({ action: 'reset' })
    expect(await late.json(20_000)).toEqual({ type: 'ack', action: 'reset' })
    expect(await late.json()).toEqual({ type: 'event', event: 'reset' })
    late.send({ action: 'status' })
    expect(await late.json()).toMatchObject({ type: 'status', frame: 0, fault: null })
    late.send({ action: 'resume' })
    const after = await until(session, 10)
    // A new process, worker or instance: its boot number is not the one before the fault.
    expect(after['m.boot']).not.toBe(before['m.boot'])
    expect(session.scheduler.fault).toBeNull()
  }, 60_000)
})

describe.skipIf(!HAS_PYTHON)('on_module_error', () => {
  it.skipIf(!HAS_PROC)('pause: no process is left behind after the fault, the reset and the stop (checked in /proc)', async () => {
    lab = new ModuleLab()
    const session = await lab.start(yaml('exiting', 'pause'))
    await nextFault(session.scheduler, 30_000)
    await session.scheduler.reset()
    await session.scheduler.resume()
    await until(session, 10)
    expect(lab.processes()).toHaveLength(1)
    await session.stop()
    expect(lab.processes()).toEqual([])
  }, 60_000)

  it('stop: the run ends at the fault; clients are told, the server stays up, and reset brings it back', async () => {
    lab = new ModuleLab()
    const session = await lab.start(yaml('raising', 'stop'))
    const faulted = nextFault(session.scheduler, 30_000)
    const server = await serve(session)
    const c = await connect(server)
    await c.json()
    const fault = await faulted
    expect(fault.module).toBe('m')
    expect(await c.json(10_000)).toMatchObject({ type: 'event', event: 'error', module: 'm', frame: FAIL_AT })
    expect(await c.json(10_000)).toMatchObject({ type: 'event', event: 'ended', frame: FAIL_AT })
    c.send({ action: 'resume' })
    expect(await c.json()).toEqual({ type: 'error', message: 'the run has reached end_time; reset to run it again' })
    c.send({ action: 'reset' })
    expect(await c.json(20_000)).toEqual({ type: 'ack', action: 'reset' })
    expect(session.scheduler.state).toBe('paused')
  }, 60_000)

  it('restart: the module restarts and the run goes on by itself, from where it was', async () => {
    lab = new ModuleLab()
    const session = await lab.start(yaml('raising', 'restart'))
    const faulted = nextFault(session.scheduler, 30_000)
    const server = await serve(session)
    const c = await connect(server)
    await c.json()
    const before = await until(session, 2)
    const fault = await faulted
    expect(fault).toMatchObject({ module: 'm', frame: FAIL_AT })
    expect(await c.json(10_000)).toMatchObject({ type: 'event', event: 'error', module: 'm' })
    expect(await c.json(10_000)).toEqual({ type: 'event', event: 'paused' })
    expect(await c.json(20_000)).toEqual({ type: 'event', event: 'running' })
    const after = await until(session, FAIL_AT + 10)
    expect(after['m.boot']).not.toBe(before['m.boot'])
    // Not from frame 0: the frame the module failed in completed without it, and the run went on.
    expect((await values(session.scheduler)).frame).toBeGreaterThan(FAIL_AT + 10)
    expect(session.scheduler.fault).toBeNull()
    expect(session.scheduler.state).toBe('running')
  }, 60_000)

  it(`restart: a module that fails every time is restarted ${MAX_RESTARTS} times, then the run pauses`, async () => {
    lab = new ModuleLab()
    const script = lab.write('m.py', `from hermes_module import Module, run

class M(Module):
    signals = ["n"]
    def step(self, t):
        raise RuntimeError("always")

run(M())
`)
    const session = await lab.start(`modules:\n  m: { type: script, script: ${script} }\nexecution: { mode: afap, rate_hz: 100, on_module_error: restart }\n`)
    const actions: string[] = []
    const paused = new Promise<string>((resolve) =>
      session.scheduler.onEvent((e) => {
        if (e.kind !== 'fault') return
        actions.push(e.action)
        if (e.action === 'pause') resolve(e.message)
      })
    )
    expect(await paused).toContain(`restarted ${MAX_RESTARTS} times since the last reset`)
    expect(actions).toEqual([...Array<string>(MAX_RESTARTS).fill('restart'), 'pause'])
    expect((await session.scheduler.snapshot()).state).toBe('paused')
  }, 60_000)
})

describe('the default policy', () => {
  const inprocFault = `
modules:
  clock: { type: inproc, model: signal_generator }
wiring: []
execution: { mode: afap, rate_hz: 100, end_time: 1000000 }
`
  it('is stop without a server and pause with one', async () => {
    lab = new ModuleLab()
    const config = await lab.load(inprocFault)
    const headless = await Scheduler.start(config, { serving: false })
    const served = await Scheduler.start(config, { serving: true })
    try {
      expect(headless.policy).toBe('stop')
      expect(served.policy).toBe('pause')
    } finally {
      await Promise.all([headless.stop(), served.stop()])
    }
  }, 60_000)
})
