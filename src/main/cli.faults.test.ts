// `hermes run` and module faults: a served run keeps serving after a fault (reset restarts the module),
// on_module_error: stop ends it with exit 1; and what a second and a third Ctrl+C do during a slow stop.
import { afterEach, describe, expect, it } from 'vitest'
import { HAS_PROC, HAS_PYTHON, ModuleLab, skipNotice } from './engine/modules/testing'
import { RawClient } from './engine/server/testing'
import { killRuns, startRun, type RunningCli } from './cli/testing'

let lab: ModuleLab | null = null
const clients: RawClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate()
  killRuns()
  await lab?.cleanup()
  lab = null
})

skipNotice(!HAS_PYTHON, 'hermes run with failing Python modules', 'no python3 on PATH')
skipNotice(!HAS_PROC, 'the checks that no module process is left', 'no /proc on this system')

/** Raises once at frame 100 (a marker file next to it says it did), then runs on; publishes its pid. */
const raising = `import os
from hermes_module import Module, run

MARKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "raised")

class M(Module):
    signals = ["n", "pid"]
    def step(self, t):
        if t.frame == 100 and not os.path.exists(MARKER):
            open(MARKER, "w").close()
            raise RuntimeError("sensor went away")
        self.outputs["n"] = t.frame
        self.outputs["pid"] = os.getpid()

run(M())
`

/** Waits until the CLI's output matches `pattern`. */
async function said(cli: RunningCli, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const match = pattern.exec(cli.output())
    if (match) return match[0]
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in: ${cli.output()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.open(`ws://127.0.0.1:${port}`)
  clients.push(c)
  expect(await c.json()).toMatchObject({ type: 'schema' })
  return c
}

describe.skipIf(!HAS_PYTHON)('hermes run --serve with a module that raises', () => {
  it('keeps serving after the fault: a late client sees it in status, reset restarts the module, Ctrl+C exits 0', async () => {
    lab = new ModuleLab()
    lab.write('m.py', raising)
    const yaml = lab.write('config.yaml', 'modules:\n  m: { type: script, script: ./m.py }\nexecution: { mode: realtime, rate_hz: 100 }\n')
    const cli = await startRun(yaml, '--serve', '--port', '0')
    expect(await said(cli, /module 'm' failed at frame 100: .*RuntimeError: sensor went away.*; the run is paused; still serving ws:\/\/[^ ]+: reset restarts it, Ctrl\+C stops/)).toBeTruthy()
    await new Promise((r) => setTimeout(r, 200))
    expect(cli.child.exitCode).toBeNull()

    const c = await connect(cli.port!)
    c.send({ action: 'status' })
    expect(await c.json()).toMatchObject({ type: 'status', state: 'paused', frame: 100, fault: { module: 'm', frame: 100 } })
    c.send({ action: 'subscribe', params: { signals: ['m.pid'] } })
    await c.json()
    const before = (await c.frame()).values[0]
    c.send({ action: 'reset' })
    expect(await c.json(20_000)).toEqual({ type: 'ack', action: 'reset' })
    c.send({ action: 'resume' })
    let after = before
    for (let i = 0; i < 200 && (after === before || after === 0); i++) after = (await c.frame(10_000)).values[0]
    expect(after).not.toBe(before)

    cli.child.kill('SIGINT')
    expect(await cli.exited).toBe(0)
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  }, 90_000)

  it('with a module that forks a child holding its pipes and exits: the fault is reported, SIGTERM stops it, no descendant is left', async () => {
    lab = new ModuleLab()
    lab.write('forker.py', `import os, time
from hermes_module import Module, run

class M(Module):
    signals = ["n"]
    def step(self, t):
        self.outputs["n"] = t.frame
        if t.frame == 20:
            if os.fork() == 0:
                time.sleep(300)
                os._exit(0)
            os._exit(0)

run(M())
`)
    const yaml = lab.write('config.yaml', 'modules:\n  forker: { type: script, script: ./forker.py }\nexecution: { mode: realtime, rate_hz: 100 }\n')
    const cli = await startRun(yaml, '--serve', '--port', '0')
    await said(cli, /module 'forker' failed at frame 20: python3 forker.py exited with code 0 during step; the run is paused/)
    const c = await connect(cli.port!)
    c.send({ action: 'status' })
    expect(await c.json()).toMatchObject({ type: 'status', fault: { module: 'forker', frame: 20 } })
    if (HAS_PROC) expect(await lab.processesAfter(5000)).toEqual([cli.child.pid])
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  }, 60_000)

  it('with on_module_error: stop, ends at the fault with exit code 1', async () => {
    lab = new ModuleLab()
    lab.write('m.py', raising)
    const yaml = lab.write('config.yaml', 'modules:\n  m: { type: script, script: ./m.py }\nexecution: { mode: afap, rate_hz: 100, on_module_error: stop }\n')
    const cli = await startRun(yaml, '--serve', '--port', '0')
    expect(await cli.exited).toBe(1)
    expect(cli.output()).toContain("hermes: module 'm' failed at frame 100:")
  }, 60_000)
})

describe.skipIf(!HAS_PYTHON)('Ctrl+C during a slow stop', () => {
  /** A module whose terminate hook takes a minute: the stop waits for it (2 s) before it kills it. */
  const slow = `import time
from hermes_module import Module, run

class M(Module):
    signals = ["n"]
    def step(self, t):
        self.outputs["n"] = t.frame
    def terminate(self):
        time.sleep(60)

run(M())
`
  async function slowRun(): Promise<RunningCli> {
    lab = new ModuleLab()
    lab.write('slow.py', slow)
    const yaml = lab.write('config.yaml', 'modules:\n  slowpoke: { type: script, script: ./slow.py }\nexecution: { mode: realtime, rate_hz: 100 }\n')
    return startRun(yaml, '--no-server')
  }

  it('a second Ctrl+C says what the stop waits for, and the stop still finishes cleanly', async () => {
    const cli = await slowRun()
    cli.child.kill('SIGINT')
    await said(cli, /hermes: stopping\n/)
    cli.child.kill('SIGINT')
    expect(await said(cli, /hermes: still stopping: [^\n]+; press Ctrl\+C again to force\n/)).toMatch(/waiting for (module 'slowpoke'|the scheduler)/)
    expect(await cli.exited).toBe(0)
    expect(cli.output()).toContain('interrupted, stopped cleanly')
    if (HAS_PROC) expect(lab!.processes()).toEqual([])
  }, 60_000)

  it('a third Ctrl+C forces the exit (130) and still leaves no module process behind', async () => {
    const cli = await slowRun()
    cli.child.kill('SIGINT')
    await said(cli, /hermes: stopping\n/)
    cli.child.kill('SIGINT')
    await said(cli, /press Ctrl\+C again to force\n/)
    cli.child.kill('SIGINT')
    expect(await cli.exited).toBe(130)
    expect(cli.output()).toMatch(/hermes: forced to exit while [^\n]+\n/)
    expect(cli.output()).not.toContain('stopped cleanly')
    if (HAS_PROC) expect(await lab!.processesAfter(5000)).toEqual([])
  }, 60_000)
})
