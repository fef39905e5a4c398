import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HermesServer } from '../server/server'
import { RawClient } from '../server/testing'
import { CC, EXAMPLES, HAS_PROC, HAS_PYTHON, ModuleLab, nextFault, skipNotice, values } from './testing'

let lab: ModuleLab
afterEach(async () => {
  await lab.cleanup()
  if (HAS_PROC) expect(lab.processes()).toEqual([])
})

const ALL_KINDS = HAS_PYTHON && CC !== null
skipNotice(!ALL_KINDS, 'tests across all module kinds', `they need python3 and a C compiler (python3: ${HAS_PYTHON ? 'yes' : 'no'}, cc: ${CC ?? 'no'})`)

describe.skipIf(!ALL_KINDS)('every module kind, in one run', () => {
  it('the same computation gives bit-identical values in inproc, TypeScript, Python and C, on every run', async () => {
    lab = new ModuleLab()
    const py = join(lab.dir, 'mock_module.py')
    copyFileSync(join(EXAMPLES, 'mock_module.py'), py)
    const c = lab.compile('vehicle', readFileSync(join(EXAMPLES, 'vehicle.c'), 'utf8'))
    const yaml = `
modules:
  inproc: { type: inproc, model: point_mass, options: { initial_velocity: [1.0, 0.5] } }
  ts: { type: script, script: ${join(EXAMPLES, 'vehicle.ts')} }
  py:
    type: script
    script: ${py}
    signals: [{ name: position.x }, { name: position.y }, { name: velocity.x }, { name: velocity.y }]
  c: { type: process, executable: ${c} }
execution: { mode: afap, rate_hz: 600, end_time: 7.77 }
`
    const runs: Record<string, number>[] = []
    for (let i = 0; i < 2; i++) {
      const session = await lab.start(yaml)
      await session.whenEnded()
      const { frame, values: v } = await values(session.scheduler)
      expect(frame).toBe(Math.ceil(7.77e9 / 1_666_667))
      runs.push(v)
      await session.stop()
    }
    const v = runs[0]!
    expect(v['inproc.position.x']).toBeGreaterThan(7.7)
    for (const kind of ['ts', 'py', 'c']) {
      for (const signal of ['position.x', 'position.y', 'velocity.x', 'velocity.y']) expect(v[`${kind}.${signal}`], `${kind}.${signal}`).toBe(v[`inproc.${signal}`])
    }
    expect(runs[1]).toEqual(runs[0])
  })

  it('wires cross kinds: JavaScript to Python to C to a built-in module, in order, frame by frame, and after reset', async () => {
    lab = new ModuleLab()
    const count = lab.write('count.mjs', "let c\nexport const signals = [{ name: 'count' }]\nexport function init(ctx) { c = ctx.signal('count') }\nexport function step() { c.value += 1 }\n")
    const double = lab.write(
      'double.py',
      'from hermes_module import Module, run\n\nclass Double(Module):\n    signals = [{"name": "in", "writable": True}, "out"]\n    def step(self, t):\n        self.outputs["out"] = 2 * self.inputs["in"]\n\nrun(Double())\n'
    )
    const plus = lab.compile(
      'plus',
      `#include "hermes_module.h"
static const double *in;
static double *out;
static int init(hermes_module *m) { in = hermes_input(m, "in"); out = hermes_output(m, "out"); return in && out ? 0 : hermes_fail(m, "signals"); }
static int step(hermes_module *m, const hermes_time *t) { (void)m; (void)t; *out = *in + 1; return 0; }
int main(void) {
    static const hermes_signal signals[] = { { .name = "in", .writable = 1 }, { .name = "out" } };
    hermes_module_def def = { .signals = signals, .signal_count = 2, .init = init, .step = step };
    return hermes_run(&def);
}
`
    )
    const session = await lab.start(`
modules:
  js: { type: script, script: ${count} }
  py: { type: script, script: ${double} }
  c: { type: process, executable: ${plus} }
  sum: { type: inproc, model: sum, options: { inputs: [a] } }
wiring:
  - { src: js.count, dst: py.in }
  - { src: py.out, dst: c.in }
  - { src: c.out, dst: sum.a }
execution: { mode: single_frame, rate_hz: 100 }
`)
    const expected = (frames: number): Record<string, number> => {
      const s = { 'js.count': 0, 'py.in': 0, 'py.out': 0, 'c.in': 0, 'c.out': 0, 'sum.a': 0, 'sum.out': 0 }
      for (let f = 0; f < frames; f++) {
        s['js.count'] += 1
        s['py.out'] = 2 * s['py.in']
        s['c.out'] = s['c.in'] + 1
        s['sum.out'] = s['sum.a']
        s['py.in'] = s['js.count']
        s['c.in'] = s['py.out']
        s['sum.a'] = s['c.out']
      }
      return s
    }
    for (const frames of [1, 2, 3, 10]) {
      await session.scheduler.step(frames - (await values(session.scheduler)).frame)
      expect((await values(session.scheduler)).values, `after ${frames} frames`).toEqual(expected(frames))
    }
    await session.scheduler.reset()
    expect((await values(session.scheduler)).values).toEqual(expected(0))
    await session.scheduler.step(10)
    expect((await values(session.scheduler)).values).toEqual(expected(10))
  })
})

describe.skipIf(!HAS_PYTHON)('a module fault reaches every client', () => {
  it("as seed 000's error event naming the module, the message and the frame, and the run pauses", async () => {
    lab = new ModuleLab()
    const script = lab.write(
      'flaky.py',
      'import sys\nfrom hermes_module import Module, run\n\nclass Flaky(Module):\n    signals = ["n"]\n    def step(self, t):\n        if t.frame == 5:\n            print("lost the sensor")\n            sys.exit(4)\n\nrun(Flaky())\n'
    )
    const session = await lab.start(`modules:\n  sensor: { type: script, script: ${script} }\nexecution: { mode: realtime, rate_hz: 100, start_paused: true }\n`)
    const server = await HermesServer.start({ host: '127.0.0.1', port: 0, telemetryHz: 30, staticDir: null, allowedOrigins: [] })
    server.bind(session)
    try {
      const clients = [await RawClient.open(server.url), await RawClient.open(server.url)]
      for (const c of clients) await c.json()
      const fault = nextFault(session.scheduler)
      clients[0]!.send({ action: 'resume' })
      await fault
      const message = 'python3 flaky.py exited with code 4 during step; last lines of its standard error:\n  | lost the sensor'
      for (const c of clients) {
        const event = await c.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.event === 'error')
        expect(event.json).toEqual({ type: 'event', event: 'error', module: 'sensor', message, frame: 5 })
        expect(await c.json()).toEqual({ type: 'event', event: 'paused' })
      }
      expect((await session.scheduler.snapshot()).state).toBe('paused')
      for (const c of clients) c.socket.terminate()
    } finally {
      await server.stop()
    }
  })
})

describe('stopping ends every module, even one stuck in a step', () => {
  it.skipIf(!HAS_PYTHON)('a Python step that never returns and a JavaScript step that spins forever (timeout_s far away)', async () => {
    lab = new ModuleLab()
    const sleeper = lab.write('sleeper.py', 'import time\nfrom hermes_module import Module, run\n\nclass S(Module):\n    signals = ["n"]\n    def step(self, t):\n        if t.frame == 2:\n            time.sleep(3600)\n\nrun(S())\n')
    const spinner = lab.write('spinner.mjs', "export const signals = [{ name: 'n' }]\nexport function step(t) { if (t.frame === 2) for (;;) {} }\n")
    for (const script of [sleeper, spinner]) {
      const session = await lab.start(`modules:\n  m: { type: script, script: ${script}, timeout_s: 3600 }\nexecution: { mode: single_frame }\n`)
      // The step command cannot finish: the module never answers frame 2.
      void session.scheduler.step(5).catch(() => undefined)
      await new Promise((r) => setTimeout(r, 200))
      await session.stop()
      if (HAS_PROC) expect(lab.processes()).toEqual([])
    }
  })
})
