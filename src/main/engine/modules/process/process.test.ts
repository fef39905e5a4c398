import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../config/issues'
import { CC, EXAMPLES, HAS_PROC, HAS_PYTHON, ModuleLab, nextFault, skipNotice, values, seedVehicleAt } from '../testing'

let lab: ModuleLab
afterEach(async () => {
  const left = lab.processes()
  await lab.cleanup()
  // Every test ends with its session stopped: not one of its processes may be left.
  if (HAS_PROC) expect(left.filter((pid) => lab.processes().includes(pid))).toEqual([])
})

skipNotice(!HAS_PYTHON, 'Python process module tests', 'no python3 on PATH (set HERMES_PYTHON)')
skipNotice(!CC, 'C process module tests', 'no C compiler (cc, gcc or clang) on PATH')
skipNotice(!HAS_PROC, 'process-table checks', 'no /proc on this system')

const SEED_SIGNALS = `
    signals:
      - { name: position.x, type: f64, unit: m }
      - { name: position.y, type: f64, unit: m }
      - { name: velocity.x, type: f64, unit: m/s }
      - { name: velocity.y, type: f64, unit: m/s }`

/** Seed 000's example (mock_module.py through the helper), afap to `end` seconds at 100 Hz. */
function seed(script: string, end: number | null, extra = ''): string {
  return `
version: "0.2"
modules:
  vehicle:
    type: script
    script: ${script}${SEED_SIGNALS}${extra}
execution: { mode: afap, rate_hz: 100.0, end_time: ${end === null ? 'null' : end} }
`
}

/** A module through the Python helper whose step is `body` (with t, self, and the helper imported). */
function pyModule(body: string, stage = 'self.outputs["n"] = 0.0'): string {
  return `import os, signal, sys, time
from hermes_module import Module, run

class M(Module):
    signals = [{"name": "n"}]
    def stage(self):
        ${stage}
    def step(self, t):
${body
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}

run(M())
`
}

const counting = (frame: number, line: string): string => `self.outputs["n"] = self.outputs["n"] + 1\nif t.frame == ${frame}:\n    ${line}`

function single(script: string, extra = '', mode = 'afap, end_time: 1'): string {
  return `modules:\n  m:\n    type: script\n    script: ${script}${extra}\nexecution: { mode: ${mode}, rate_hz: 100 }\n`
}

describe.skipIf(!HAS_PYTHON)("seed 000's mock_module.py through hermes_module.py", () => {
  it('publishes x += 1.0*dt, y += 0.5*dt, vx = 1.0, vy = 0.5', async () => {
    lab = new ModuleLab()
    const script = join(lab.dir, 'mock_module.py')
    copyFileSync(join(EXAMPLES, 'mock_module.py'), script)
    const session = await lab.start(seed(script, 10))
    await session.whenEnded()
    const { frame, values: v } = await values(session.scheduler)
    expect(frame).toBe(1000)
    expect(v).toEqual(seedVehicleAt(1000))
  })

  it('gives the same values at the same frame on every run, and again after a reset', async () => {
    lab = new ModuleLab()
    const script = join(lab.dir, 'mock_module.py')
    copyFileSync(join(EXAMPLES, 'mock_module.py'), script)
    const runs: Record<string, number>[] = []
    for (let i = 0; i < 2; i++) {
      const session = await lab.start(seed(script, 3.33))
      await session.whenEnded()
      runs.push((await values(session.scheduler)).values)
      await session.stop()
    }
    expect(runs[1]).toEqual(runs[0])

    const session = await lab.start(seed(script, 3.33))
    await session.whenEnded()
    await session.scheduler.reset()
    const afterReset = await values(session.scheduler)
    expect(afterReset.frame).toBe(0)
    expect(afterReset.values).toEqual({ 'vehicle.position.x': 0, 'vehicle.position.y': 0, 'vehicle.velocity.x': 1.0, 'vehicle.velocity.y': 0.5 })
    await session.scheduler.step(333)
    expect((await values(session.scheduler)).values).toEqual(runs[0])
  })

  it('keeps stepping through prints: print() goes to standard error, not into the protocol', async () => {
    lab = new ModuleLab()
    const script = lab.write('chatty.py', pyModule('print("frame", t.frame)\nself.outputs["n"] = t.frame'))
    const session = await lab.start(single(script))
    await session.whenEnded()
    expect((await values(session.scheduler)).values['m.n']).toBe(99)
  })

  it('tells the module its name, the config path, its rate, its options and its own config file', async () => {
    lab = new ModuleLab()
    lab.write('probe.json', '{"answer": 42}')
    const script = lab.write(
      'probe.py',
      `import json
from hermes_module import Module, run

class Probe(Module):
    signals = ["name_ok", "config_ok", "rate", "gain", "answer", "arg_ok"]
    def init(self):
        import sys
        c = self.context
        with open(c.config_file) as f:
            self.answer = json.load(f)["answer"]
        self.checks = {
            "name_ok": float(c.name == "probe"),
            "config_ok": float(c.config_path.endswith("config.yaml")),
            "rate": c.rate_hz,
            "gain": c.options["gain"],
            "answer": self.answer,
            "arg_ok": float(sys.argv[1:] == [c.config_file]),
        }
    def stage(self):
        for k, v in self.checks.items():
            self.outputs[k] = v
    def step(self, t):
        pass

run(Probe())
`
    )
    const session = await lab.start(`
modules:
  probe:
    type: script
    script: ${script}
    config: ./probe.json
    options: { gain: 2.5, labels: [a, b] }
execution: { mode: single_frame, rate_hz: 50, schedule: [{ name: probe, rate_hz: 200 }] }
`)
    const v = (await values(session.scheduler)).values
    expect(v).toEqual({ 'probe.name_ok': 1, 'probe.config_ok': 1, 'probe.rate': 200, 'probe.gain': 2.5, 'probe.answer': 42, 'probe.arg_ok': 1 })
  })

  it('reads its inputs (writable signals) every step: a set reaches the next step', async () => {
    lab = new ModuleLab()
    const script = lab.write(
      'gain.py',
      `from hermes_module import Module, run

class Gain(Module):
    signals = [{"name": "u", "writable": True, "initial": 2.0}, "y"]
    def stage(self):
        self.outputs["y"] = 10 * self.inputs["u"]
    def step(self, t):
        self.outputs["y"] = 10 * self.inputs["u"]

run(Gain())
`
    )
    const session = await lab.start(single(script, '', 'single_frame'))
    expect((await values(session.scheduler)).values).toEqual({ 'm.u': 2, 'm.y': 20 })
    await session.scheduler.set('m.u', 0.5)
    await session.scheduler.step(1)
    expect((await values(session.scheduler)).values).toEqual({ 'm.u': 0.5, 'm.y': 5 })
    await session.scheduler.reset()
    expect((await values(session.scheduler)).values).toEqual({ 'm.u': 2, 'm.y': 20 })
  })
})

describe.skipIf(!HAS_PYTHON)('process module faults pause the run and name the module, what happened and the frame', () => {
  it('an exception: the message and where it was raised; the module lives on and the run resumes', async () => {
    lab = new ModuleLab()
    const script = lab.write(
      'raises.py',
      pyModule(`if t.frame == 5 and not getattr(self, "raised", False):\n    self.raised = True\n    raise ValueError("bad value at frame five")\nself.outputs["n"] = self.outputs["n"] + 1`)
    )
    const session = await lab.start(single(script))
    const fault = await nextFault(session.scheduler)
    expect(fault.module).toBe('m')
    expect(fault.frame).toBe(5)
    expect(fault.message).toBe('python3 raises.py failed in step: ValueError: bad value at frame five (raises.py:11 in step)')
    expect((await session.scheduler.snapshot()).state).toBe('paused')
    await session.scheduler.resume()
    await session.whenEnded()
    expect((await values(session.scheduler)).values['m.n']).toBe(100)
  })

  it('an exit: the exit code and the last lines of its standard error', async () => {
    lab = new ModuleLab()
    const script = lab.write('exits.py', pyModule(counting(7, 'print("giving up now")\n    sys.exit(3)')))
    const session = await lab.start(single(script))
    const fault = await nextFault(session.scheduler)
    expect(fault).toMatchObject({ module: 'm', frame: 7 })
    expect(fault.message).toBe('python3 exits.py exited with code 3 during step; last lines of its standard error:\n  | giving up now')
    if (HAS_PROC) expect(lab.processes()).toEqual([])
    // Resuming steps the dead module again: reported again, not hung.
    await session.scheduler.resume()
    const again = await nextFault(session.scheduler)
    expect(again.message).toBe('python3 exits.py is not running: exited with code 3 during step')
  })

  it('a crash: the signal, and the traceback it printed on the way', async () => {
    lab = new ModuleLab()
    const script = lab.write('crashes.py', pyModule(counting(4, 'sys.stderr.write("about to crash\\n")\n    os.kill(os.getpid(), signal.SIGSEGV)')))
    const session = await lab.start(single(script))
    const fault = await nextFault(session.scheduler)
    expect(fault).toMatchObject({ module: 'm', frame: 4 })
    expect(fault.message).toMatch(/^python3 crashes\.py was killed by signal SIGSEGV during step; last lines of its standard error:\n {2}\| about to crash/)
  })

  it('a module that stops answering: killed after timeout_s, no process left', async () => {
    lab = new ModuleLab()
    const script = lab.write('hangs.py', pyModule(counting(3, 'print("sleeping")\n    time.sleep(60)')))
    const session = await lab.start(single(script, '\n    timeout_s: 0.3'))
    const fault = await nextFault(session.scheduler)
    expect(fault).toMatchObject({ module: 'm', frame: 3 })
    expect(fault.message).toBe('python3 hangs.py did not answer step within 0.3 s (timeout_s) and was killed; last lines of its standard error:\n  | sleeping')
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  })

  it('garbage on the protocol stream: the bytes it wrote; it is killed', async () => {
    lab = new ModuleLab()
    // Written from docs/modules.md without the helper, so that it can break the protocol on purpose.
    const script = lab.write(
      'raw.py',
      `import json, struct, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
def send(tag, payload=b""):
    out.write(tag + struct.pack("<I", len(payload)) + payload)
    out.flush()
def receive():
    header = inp.read(8)
    if len(header) < 8:
        sys.exit(0)
    return header[:4], inp.read(struct.unpack("<I", header[4:])[0])
send(b"HELO", json.dumps({"protocol": 1, "signals": [{"name": "n"}]}).encode())
n = 0.0
while True:
    tag, payload = receive()
    if tag == b"INIT":
        send(b"DONE")
    elif tag in (b"STAG", b"RSET"):
        n = 0.0
        send(b"DONE", struct.pack("<d", n))
    elif tag == b"STEP":
        frame, time_ns, time, dt = struct.unpack_from("<Qqdd", payload)
        if frame == 6:
            out.write(b"hello, world\\n")
            out.flush()
            continue
        n += dt
        send(b"DONE", struct.pack("<d", n))
    elif tag == b"TERM":
        sys.exit(0)
`
    )
    const session = await lab.start(single(script))
    const fault = await nextFault(session.scheduler)
    expect(fault).toMatchObject({ module: 'm', frame: 6 })
    expect(fault.message).toBe(
      'python3 raw.py broke the protocol during step: it wrote bytes that are not a protocol message where DONE or FAIL was expected: 68 65 6c 6c 6f 2c 20 77 ("hello, w"). ' +
        'A module writes only protocol messages on its standard output (print to standard error); it was killed'
    )
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  })

  it('a fault in reset is reported the same way, and the run stays paused', async () => {
    lab = new ModuleLab()
    const script = lab.write('badreset.py', pyModule('self.outputs["n"] = t.frame').replace('run(M())', 'M.reset = lambda self: 1 / 0\nrun(M())'))
    const session = await lab.start(single(script, '', 'single_frame'))
    await session.scheduler.step(3)
    const fault = nextFault(session.scheduler)
    await session.scheduler.reset()
    expect(await fault).toMatchObject({ module: 'm', frame: 0, message: 'python3 badreset.py failed in reset: ZeroDivisionError: division by zero (badreset.py:11 in <lambda>)' })
    expect((await session.scheduler.snapshot()).state).toBe('paused')
  })
})

describe.skipIf(!HAS_PYTHON)('process modules that cannot start are configuration errors', () => {
  async function loadError(lab: ModuleLab, yaml: string): Promise<ConfigError> {
    const error = await lab.load(yaml).then(
      () => null,
      (e: unknown) => e
    )
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
    return error
  }

  it('a script that fails on import: its exit code and traceback, at the script key', async () => {
    lab = new ModuleLab()
    const script = lab.write('broken.py', 'import no_such_module\n')
    const error = await loadError(lab, single(script))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatchObject({ line: 4, column: 13, path: 'modules.m.script' })
    expect(error.issues[0]!.message).toMatch(/^python3 broken\.py exited with code 1 before its HELO; last lines of its standard error:\n(.|\n)*ModuleNotFoundError: No module named 'no_such_module'$/)
  })

  it('a program that prints before saying hello: the bytes it wrote', async () => {
    lab = new ModuleLab()
    const script = lab.write('noisy.py', 'print("starting up")\nimport time\ntime.sleep(30)\n')
    const error = await loadError(lab, single(script))
    expect(error.issues[0]!.message).toBe(
      'python3 noisy.py did not start with a HELO: it wrote bytes that are not a protocol message where HELO was expected: 73 74 61 72 74 69 6e 67 ("starting")'
    )
  })

  it('an executable that is missing or not executable, with its path', async () => {
    lab = new ModuleLab()
    const plain = lab.write('plain.sh', '#!/bin/sh\n')
    const error = await loadError(lab, `modules:\n  a: { type: process, executable: ./nope }\n  b: { type: process, executable: ${plain} }\n`)
    expect(error.issues.map((i) => [i.path, i.message])).toEqual([
      ['modules.a.executable', `executable not found: ${join(lab.dir, 'nope')}`],
      ['modules.b.executable', `executable is not executable: ${plain}`]
    ])
  })

  it('an interpreter that is not there: says how to choose another', async () => {
    lab = new ModuleLab()
    const script = lab.write('ok.py', pyModule('pass'))
    const saved = process.env.HERMES_PYTHON
    process.env.HERMES_PYTHON = join(lab.dir, 'no-python')
    try {
      const error = await loadError(lab, single(script))
      expect(error.issues[0]!.message).toBe(`cannot start no-python ok.py: ${join(lab.dir, 'no-python')}: not found`)
    } finally {
      if (saved === undefined) delete process.env.HERMES_PYTHON
      else process.env.HERMES_PYTHON = saved
    }
  })
})

const C_VEHICLE = readFileSync(join(EXAMPLES, 'vehicle.c'), 'utf8')

describe.skipIf(!CC)('C process modules through hermes_module.h, compiled with the system compiler', () => {
  it('the C vehicle gives exactly the values of the Python one at the same frame', async () => {
    lab = new ModuleLab()
    const exe = lab.compile('vehicle', C_VEHICLE)
    const session = await lab.start(`
modules:
  vehicle: { type: process, executable: ${exe} }
execution: { mode: afap, rate_hz: 100.0, end_time: 12.34 }
`)
    await session.whenEnded()
    const { frame, values: v } = await values(session.scheduler)
    expect(frame).toBe(1234)
    expect(v).toEqual(seedVehicleAt(1234))
  })

  it('a hook that fails says why; a crash is named by its signal', async () => {
    lab = new ModuleLab()
    const source = (body: string): string => `#include "hermes_module.h"
static double *n;
static int failed __attribute__((unused));
static int init(hermes_module *m) { n = hermes_output(m, "n"); return n ? 0 : hermes_fail(m, "no output n"); }
static int step(hermes_module *m, const hermes_time *t) { (void)m; *n += 1; ${body} return 0; }
int main(void) {
    static const hermes_signal signals[] = { { .name = "n" } };
    hermes_module_def def = { .signals = signals, .signal_count = 1, .init = init, .step = step };
    return hermes_run(&def);
}
`
    const fails = lab.compile('fails', source('if (t->frame == 2 && !failed++) return hermes_fail(m, "sensor %d not found", 7);'))
    const crashes = lab.compile('crashes', source('if (t->frame == 9) { fprintf(stderr, "dereferencing NULL\\n"); *(volatile int *)0 = 1; }'))
    const session = await lab.start(`
modules:
  a: { type: process, executable: ${fails} }
  b: { type: process, executable: ${crashes} }
execution: { mode: afap, rate_hz: 100, end_time: 1 }
`)
    const first = await nextFault(session.scheduler)
    expect(first).toEqual({ module: 'a', frame: 2, message: 'fails failed in step: sensor 7 not found' })
    const second = nextFault(session.scheduler)
    await session.scheduler.resume()
    expect(await second).toMatchObject({ module: 'b', frame: 9 })
    expect((await second).message).toBe('crashes was killed by signal SIGSEGV during step; last lines of its standard error:\n  | dereferencing NULL')
  })
})
