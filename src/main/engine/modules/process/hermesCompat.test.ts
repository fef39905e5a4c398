// Modules written for Hermes's Python API (hermes.backplane) run unchanged through resources/modules/hermes:
// Hermes's own mock_module.py and basic_sim.yaml from a local mirror, our own Hermes-style example, and the
// package's API driven message by message.
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hermes, killRuns, ROOT, runSeedClient, SEED_CLIENT_AVAILABLE, startRun } from '../../../cli/testing'
import { CC, EXAMPLES, HAS_PROC, HAS_PYTHON, HELPERS, ModuleLab, PYTHON, skipNotice, values } from '../testing'
import { HAS_HERMES_MIRROR, HERMES_MIRROR, hermesFile } from './hermesMirror'
import { DONE, encodeInit, HEADER_BYTES, HELO, RSET, STAG, STEP, writeHeader } from './protocol'
import { hermesNames, processSpec } from './spec'

// Python starts, a CLI run and a hundred stepped frames: on a loaded machine that is well over the default 20 s.
vi.setConfig({ testTimeout: 120_000 })

let lab: ModuleLab | null = null
afterEach(async () => {
  killRuns()
  await lab?.cleanup()
  lab = null
})

const MIRROR_SKIP = `Hermes mirror not present at ${HERMES_MIRROR} (set HERMES_MIRROR to a clone of github.com/tanged123/hermes)`
skipNotice(!HAS_PYTHON, 'Hermes compatibility tests', 'no python3 on PATH (set HERMES_PYTHON)')
skipNotice(!CC, 'C modules written against hermes/module.h', 'no C compiler (cc, gcc or clang) on PATH')
skipNotice(!HAS_HERMES_MIRROR, "Hermes's own mock_module.py and basic_sim.yaml", MIRROR_SKIP)
skipNotice(!SEED_CLIENT_AVAILABLE, 'seed 000 client runs against Hermes-style modules', '/usr/bin/python3 with websockets is not installed (apt-get install python3-websockets)')

interface Stepped {
  modules: string[]
  signals: string[]
  /** [frame, time, ...values] after each step. */
  rows: number[][]
  events: { event: string; frame?: number }[]
}

/** test/python/step_client.py: a seed 000 client that steps a single_frame run frame by frame. */
function stepClient(port: number, steps: number, ...patterns: string[]): Stepped {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'test', 'python', 'step_client.py'), `ws://127.0.0.1:${port}`, String(steps), ...patterns], { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0 || r.stderr !== '') throw new Error(`step_client.py exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Stepped
}

/** Hermes's example folder as Hermes ships it: mock_module.py and one YAML, byte for byte, in a fresh folder. */
function hermesExample(config = 'basic_sim.yaml'): string {
  lab = new ModuleLab()
  for (const file of ['mock_module.py', config]) {
    const bytes = hermesFile(`examples/${file}`)
    if (!bytes) throw new Error(`examples/${file} is not in the Hermes mirror at ${HERMES_MIRROR}`)
    writeFileSync(join(lab.dir, file), bytes)
  }
  return join(lab.dir, config)
}

describe.skipIf(!HAS_PYTHON || !HAS_HERMES_MIRROR)("Hermes's examples/mock_module.py and basic_sim.yaml, unchanged", () => {
  it('run headless as the YAML says: 100 frames, position.x = 1.00 at the end, exit code 0', () => {
    const yaml = hermesExample()
    const r = hermes('run', yaml, '--print', 'mock_vehicle.*', '--print-rate', '1000')
    expect(r.stderr).not.toMatch(/Traceback|error/i)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^100\s+1\.000 s\s/m)
    expect(r.stdout).toMatch(/^frame 100 .*mock_vehicle\.position\.x=1\.0000 .*mock_vehicle\.position\.y=0\.5000 .*mock_vehicle\.velocity\.x=1\.0000/m)
  })

  it.skipIf(!SEED_CLIENT_AVAILABLE)('a seed 000 client stepping frame by frame sees position.x advance by 0.01 per frame, 100 frames', async () => {
    const yaml = hermesExample()
    const { child, port, exited } = await startRun(yaml, '--serve', '--port', '0', '--mode', 'single_frame')
    const seen = stepClient(port!, 110, 'mock_vehicle.*')
    expect(seen.modules).toEqual(['mock_vehicle'])
    expect(seen.signals).toEqual(['mock_vehicle.position.x', 'mock_vehicle.position.y', 'mock_vehicle.velocity.x', 'mock_vehicle.velocity.y'])
    // end_time 1.0 at 100 Hz: the 101st step no longer advances.
    expect(seen.rows.map((r) => r[0])).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(seen.events).toContainEqual(expect.objectContaining({ event: 'ended', frame: 100 }))
    let previous = 0
    for (const [frame, time, x, y, vx, vy] of seen.rows) {
      expect(time).toBeCloseTo(frame! * 0.01, 12)
      expect(x! - previous).toBeCloseTo(0.01, 12)
      expect(x).toBeCloseTo(frame! * 0.01, 12)
      expect(y).toBeCloseTo(frame! * 0.005, 12)
      expect([vx, vy]).toEqual([1.0, 0.5])
      previous = x!
    }
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    if (HAS_PROC) expect(lab!.processes()).toEqual([])
  })
})

describe.skipIf(!HAS_PYTHON || !HAS_HERMES_MIRROR || !SEED_CLIENT_AVAILABLE)("Hermes's examples/websocket_telemetry.yaml, unchanged but for the port", () => {
  it("serves seed 000's whole client flow (subscribe, resume, pause, step, set, reset) with mock_module.py", async () => {
    const yaml = hermesExample('websocket_telemetry.yaml')
    const { child, port, exited } = await startRun(yaml, '--port', '0')
    const seen = runSeedClient(port!)
    expect(seen.modules).toEqual(['mock_vehicle'])
    expect(seen.subscribed).toBe(4)
    expect((seen.first_values as number[]).slice(2)).toEqual([1.0, 0.5])
    expect(seen.frame_after_step).toBe(seen.step_frame)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    if (HAS_PROC) expect(lab!.processes()).toEqual([])
  })
})

/** Our own module in Hermes's API style (resources/examples/hermes_style_module.py) with its YAML, in a fresh folder. */
function ownExample(): string {
  lab = new ModuleLab()
  copyFileSync(join(EXAMPLES, 'hermes_style_module.py'), join(lab.dir, 'hermes_style_module.py'))
  copyFileSync(join(EXAMPLES, 'hermes_style.yaml'), join(lab.dir, 'hermes_style.yaml'))
  return join(lab.dir, 'hermes_style.yaml')
}

describe.skipIf(!HAS_PYTHON)('a module in the Hermes API style (resources/examples/hermes_style_module.py)', () => {
  it('sees the frame and time of each step, reads its writable signal as set, and keeps its values over a reset', async () => {
    ownExample()
    const session = await lab!.start(`
modules:
  cart:
    type: script
    script: ./hermes_style_module.py
    signals:
      - { name: speed, writable: true, initial: 2.0 }
      - { name: position }
      - { name: frame_seen }
      - { name: time_seen }
execution: { mode: single_frame, rate_hz: 100 }
`)
    const s = session.scheduler
    await s.step(5)
    // Like Hermes: during frame k the module reads frame k and time k·dt (the header before the step).
    const first = (await values(s)).values
    expect(first).toMatchObject({ 'cart.speed': 2, 'cart.frame_seen': 4, 'cart.time_seen': 0.04 })
    expect(first['cart.position']).toBeCloseTo(2 * 0.04, 12)
    await s.set('cart.speed', 3)
    await s.step(1)
    const after = (await values(s)).values
    expect(after['cart.frame_seen']).toBe(5)
    expect(after['cart.position']).toBeCloseTo(0.08 + 3 * 0.01, 12)
    await s.reset()
    // Hermes's reset touches only frame and time: the module's own values stay (its writable signal returns to 2.0).
    expect((await values(s)).values['cart.position']).toBeCloseTo(0.11, 12)
    await s.step(1)
    expect((await values(s)).values).toMatchObject({ 'cart.frame_seen': 0, 'cart.time_seen': 0, 'cart.speed': 2 })
    expect((await values(s)).values['cart.position']).toBeCloseTo(0.11, 12)
  })

  it('runs headless from its YAML: 100 frames, position = speed x 0.99 s', () => {
    const yaml = ownExample()
    const r = hermes('run', yaml, '--print', 'cart.*', '--print-rate', '1000')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^100\s+1\.000 s\s/m)
    expect(r.stdout).toMatch(/^frame 100 .*cart\.position=1\.9800 .*cart\.frame_seen=99\.0000 .*cart\.time_seen=0\.9900/m)
  })

  it.skipIf(!SEED_CLIENT_AVAILABLE)('a seed 000 client steps it frame by frame and sees the frame each step was given', async () => {
    const yaml = ownExample()
    const { child, port, exited } = await startRun(yaml, '--serve', '--port', '0', '--mode', 'single_frame')
    const seen = stepClient(port!, 20, 'cart.frame_seen', 'cart.position')
    expect(seen.rows).toHaveLength(20)
    for (const [frame, , frameSeen, position] of seen.rows) {
      expect(frameSeen).toBe(frame! - 1)
      expect(position).toBeCloseTo(2 * (frame! - 1) * 0.01, 12)
    }
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    if (HAS_PROC) expect(lab!.processes()).toEqual([])
  })
})

/** The module's side of the API, checked line by line: each check prints one line to standard error. */
const API_PROBE = `import os, sys
from hermes.backplane.shm import SharedMemoryManager
from hermes.backplane.sync import FrameBarrier

def report(*parts):
    print(*parts, file=sys.stderr, flush=True)

print("print goes to standard error")
shm = SharedMemoryManager(os.environ["HERMES_SHM_NAME"])
try:
    shm.get_frame()
except RuntimeError as e:
    report("before attach:", e)
try:
    FrameBarrier("b", 0)
except ValueError as e:
    report("count:", e)
try:
    SharedMemoryManager("/elsewhere").attach()
except FileNotFoundError as e:
    report("wrong name:", e)
shm.attach()
try:
    shm.attach()
except RuntimeError as e:
    report("again:", e)
barrier = FrameBarrier(os.environ["HERMES_BARRIER_NAME"], 1)
barrier.attach()
report("names:", shm.signal_names())
shm.set_signal("m.y", 0.25)
report("first wait:", barrier.wait_step(timeout=0.2))
report("second wait:", barrier.wait_step(timeout=60))
report("frame, time, time_ns:", shm.get_frame(), shm.get_time(), shm.get_time_ns())
report("input:", shm.get_signal("m.u"))
try:
    shm.get_signal("other.x")
except KeyError as e:
    report("other:", e)
shm.set_signal("m.y", shm.get_signal("m.u") * 2)
barrier.signal_done()
report("after reset:", barrier.wait_step(timeout=60), shm.get_frame(), shm.get_time_ns())
barrier.signal_done()
report("at end of input:", barrier.wait_step(timeout=60))
barrier.wait_step(timeout=60)
report("not reached")
`

/** A hand-driven engine on the module's pipes: messages in order, as the process module protocol sends them. */
class PipeEngine {
  readonly child
  stderr = ''
  private stdout = Buffer.alloc(0)
  private waiters: (() => void)[] = []
  readonly exited: Promise<number | null>

  constructor(script: string, env: Record<string, string> = {}) {
    const spec = processSpec(
      { name: 'm', type: 'script', script, executable: null, configFile: null, options: {}, timeoutS: 5 },
      { name: 'm', configPath: null, configFile: null, rateHz: 100, options: {} }
    )
    this.child = spawn(spec.command, spec.args, { env: { ...spec.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)))
    const wake = (): void => {
      for (const w of this.waiters.splice(0)) w()
    }
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, chunk])
      wake()
    })
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
      wake()
    })
    this.child.on('exit', wake)
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000
    while (!done()) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`no ${what}; stderr: ${this.stderr}`)
      await new Promise<void>((r) => {
        this.waiters.push(r)
        setTimeout(r, 200)
      })
    }
  }

  /** The next message the module writes: its tag and payload. */
  async next(): Promise<{ tag: number; payload: Buffer }> {
    await this.until(() => this.stdout.length >= HEADER_BYTES && this.stdout.length >= HEADER_BYTES + this.stdout.readUInt32LE(4), 'message')
    const length = this.stdout.readUInt32LE(4)
    const message = { tag: this.stdout.readUInt32LE(0), payload: this.stdout.subarray(HEADER_BYTES, HEADER_BYTES + length) }
    this.stdout = this.stdout.subarray(HEADER_BYTES + length)
    return message
  }

  async line(prefix: string): Promise<void> {
    // Whole lines only: an unbuffered print() may arrive in pieces.
    await this.until(() => this.stderr.split('\n').slice(0, -1).some((l) => l.startsWith(prefix)), `line starting '${prefix}'`)
  }

  send(buffer: Buffer): void {
    this.child.stdin.write(buffer)
  }

  pending(): number {
    return this.stdout.length
  }
}

function message(tag: number, floats: number[], before: Uint8Array = new Uint8Array(0)): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + before.length + 8 * floats.length)
  writeHeader(buffer, tag, buffer.length - HEADER_BYTES)
  buffer.set(before, HEADER_BYTES)
  floats.forEach((f, i) => buffer.writeDoubleLE(f, HEADER_BYTES + before.length + 8 * i))
  return buffer
}

function stepFields(frame: number, timeNs: number, dt: number): Buffer {
  const b = Buffer.alloc(32)
  b.writeBigUInt64LE(BigInt(frame), 0)
  b.writeBigInt64LE(BigInt(timeNs), 8)
  b.writeDoubleLE(timeNs / 1e9, 16)
  b.writeDoubleLE(dt, 24)
  return b
}

describe.skipIf(!HAS_PYTHON)('the hermes compatibility package, message by message', () => {
  it('the engine puts the package first on PYTHONPATH and tells Hermes names', () => {
    const spec = processSpec(
      { name: 'm', type: 'script', script: 'x.py', executable: null, configFile: null, options: {}, timeoutS: 5 },
      { name: 'm', configPath: null, configFile: null, rateHz: 100, options: {} }
    )
    expect(spec.env.PYTHONPATH!.split(delimiter)[0]).toBe(HELPERS)
    expect(spec.env).toMatchObject({ HERMES_MODULE_NAME: 'm', ...hermesNames() })
    expect(spec.env.HERMES_SHM_NAME).toBe(`/hermes_${process.pid}`)
    expect(spec.env.HERMES_BARRIER_NAME).toBe(`/hermes_barrier_${process.pid}`)
  })

  it('attach, wait_step with its timeout, frame and time, own signals only, and goodbye at end of input', async () => {
    lab = new ModuleLab()
    const engine = new PipeEngine(lab.write('probe.py', API_PROBE))
    const hello = await engine.next()
    expect(hello.tag).toBe(HELO)
    expect(JSON.parse(hello.payload.toString())).toEqual({ protocol: 1, signals: [] })
    engine.send(encodeInit([{ name: 'u', initial: 1.5 }], [{ name: 'y', initial: 0 }]))
    expect((await engine.next()).tag).toBe(DONE)
    engine.send(message(STAG, [1.5]))
    // STAG is answered inside wait_step with what the module wrote before it.
    const staged = await engine.next()
    expect([staged.tag, staged.payload.readDoubleLE(0)]).toEqual([DONE, 0.25])
    // No step within 0.2 s: False, as Hermes's semaphore gives.
    await engine.line('first wait:')
    engine.send(message(STEP, [4.0], stepFields(7, 70_000_000, 0.01)))
    const stepped = await engine.next()
    expect([stepped.tag, stepped.payload.length, stepped.payload.readDoubleLE(0)]).toEqual([DONE, 8, 8.0])
    engine.send(message(RSET, [1.5]))
    const reset = await engine.next()
    expect([reset.tag, reset.payload.readDoubleLE(0)]).toEqual([DONE, 8.0])
    engine.send(message(STEP, [1.5], stepFields(0, 0, 0.01)))
    expect((await engine.next()).payload.readDoubleLE(0)).toBe(8.0)
    engine.child.stdin.end()
    expect(await engine.exited).toBe(0)
    expect(engine.pending()).toBe(0)
    const lines = engine.stderr.trimEnd().split('\n')
    expect(lines).toEqual([
      'print goes to standard error',
      'before attach: Not attached to shared memory',
      'count: FrameBarrier count must be at least 1, got 0',
      `wrong name: No shared memory segment named '/elsewhere': this engine's is '/hermes_${process.pid}' (HERMES_SHM_NAME)`,
      'again: Already attached to shared memory',
      "names: ['m.u', 'm.y']",
      'first wait: False',
      'second wait: True',
      'frame, time, time_ns: 7 0.07 70000000',
      'input: 4.0',
      "other: 'Signal not found: other.x (under Hermes Console a module reaches its own signals: m.u, m.y)'",
      'after reset: True 0 0',
      'at end of input: False'
    ])
  })

  it('HERMES_COMPAT_TIMEOUTS=ignore: wait_step waits for the engine past its timeout', async () => {
    lab = new ModuleLab()
    const script = lab.write(
      'patient.py',
      'import os, sys\nfrom hermes.backplane.shm import SharedMemoryManager\nfrom hermes.backplane.sync import FrameBarrier\n' +
        'shm = SharedMemoryManager(os.environ["HERMES_SHM_NAME"]); shm.attach()\nb = FrameBarrier(os.environ["HERMES_BARRIER_NAME"], 1); b.attach()\n' +
        'print("waited:", b.wait_step(timeout=0.05), file=sys.stderr, flush=True)\n'
    )
    const engine = new PipeEngine(script, { HERMES_COMPAT_TIMEOUTS: 'ignore' })
    expect((await engine.next()).tag).toBe(HELO)
    engine.send(encodeInit([], [{ name: 'y', initial: 0 }]))
    expect((await engine.next()).tag).toBe(DONE)
    engine.send(message(STAG, []))
    expect((await engine.next()).tag).toBe(DONE)
    // Ten times the module's timeout before the step comes.
    await new Promise((r) => setTimeout(r, 500))
    engine.send(message(STEP, [], stepFields(0, 0, 0.01)))
    await engine.line('waited:')
    expect(engine.stderr).toContain('waited: True')
    engine.child.stdin.end()
    expect(await engine.exited).toBe(0)
  })

  it('outside the engine it leaves standard output alone and says why it cannot attach', () => {
    const r = spawnSync(PYTHON, ['-c', 'import hermes.backplane.shm as s\nprint("plain stdout")\ns.SharedMemoryManager("/x").attach()'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: HELPERS, HERMES_PROTOCOL: '' }
    })
    expect(r.stdout).toBe('plain stdout\n')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('RuntimeError: hermes (Hermes Console\'s compatibility package) works only inside Hermes Console\'s engine: HERMES_PROTOCOL is not set')
  })
})

/** Checks of the C API's edges, each adding 1 to `checks` when it holds; `expected` says how many there are. */
const C_PROBE = `#include "hermes/module.h"

int main(int argc, char **argv) {
    hermes_context_t *ctx = hermes_module_init(argc > 1 ? argv[1] : NULL, NULL);
    if (!HERMES_VALID(ctx)) return 1;
    double checks = 0;
    HERMES_MAIN_LOOP(ctx) {
        hermes_command_t c = hermes_get_command(ctx);
        if (c == HERMES_CMD_STEP) {
            checks = 0;
            checks += isnan(hermes_get_signal(ctx, "nope"));
            checks += !hermes_set_signal(ctx, "nope", 1.0);
            checks += !hermes_register_signal(ctx, "late", HERMES_TYPE_F64, false);
            checks += hermes_get_signal(ctx, "probe.u") == hermes_get_signal(ctx, "u");
            checks += hermes_get_signal(ctx, "u") == 4.5;
            checks += hermes_get_dt(ctx) == 0.01;
            hermes_set_signal(ctx, "probe.checks", checks);
            hermes_set_signal(ctx, "expected", 6);
            hermes_signal_done(ctx);
        } else if (c == HERMES_CMD_TERMINATE) {
            break;
        } else {
            hermes_ack(ctx);
        }
    }
    hermes_module_destroy(ctx);
    return 0;
}
`

describe.skipIf(!CC)('a C module written against hermes/module.h (resources/examples/hermes_style_module.c)', () => {
  it('registers its signals, sees each step\'s frame, time and dt, reads its writable signal, and keeps its values over a reset', async () => {
    lab = new ModuleLab()
    lab.compile('hermes_style_module', readFileSync(join(EXAMPLES, 'hermes_style_module.c'), 'utf8'))
    // Compiled into the lab above: the example's own build key (sources beside it) does not apply there.
    const yaml = readFileSync(join(EXAMPLES, 'hermes_style_c.yaml'), 'utf8')
      .replace('mode: afap', 'mode: single_frame')
      .replace(/ {4}build:\n( {6}.*\n)+/, '')
    const config = await lab.load(yaml)
    // The YAML lists two signals; the module registers all four, and the YAML's units stay.
    expect(config.modules[0]!.signals.map((sig) => [sig.name, sig.unit, sig.writable])).toEqual([
      ['speed', 'm/s', true],
      ['position', 'm', false],
      ['frame_seen', '', false],
      ['time_seen', '', false]
    ])
    const s = (await lab.start(yaml)).scheduler
    await s.step(5)
    const first = (await values(s)).values
    expect(first).toMatchObject({ 'cart.speed': 2, 'cart.frame_seen': 4, 'cart.time_seen': 0.04 })
    expect(first['cart.position']).toBeCloseTo(5 * 2 * 0.01, 12)
    await s.set('cart.speed', 3)
    await s.step(1)
    expect((await values(s)).values['cart.position']).toBeCloseTo(0.1 + 3 * 0.01, 12)
    await s.reset()
    await s.step(1)
    const after = (await values(s)).values
    expect(after).toMatchObject({ 'cart.frame_seen': 0, 'cart.time_seen': 0, 'cart.speed': 2 })
    expect(after['cart.position']).toBeCloseTo(0.13 + 2 * 0.01, 12)
  })

  it('answers NaN and false for signals it does not have, and refuses to register once running', async () => {
    lab = new ModuleLab()
    lab.compile('probe', C_PROBE)
    const s = (await lab.start('modules:\n  probe:\n    type: process\n    executable: ./probe\n    signals: [{ name: u, writable: true, initial: 4.5 }, { name: checks }, { name: expected }]\nexecution: { mode: single_frame, rate_hz: 100 }\n')).scheduler
    await s.step(1)
    expect((await values(s)).values).toMatchObject({ 'probe.checks': 6, 'probe.expected': 6 })
  })

  it('outside the engine hermes_module_init returns NULL and says why', () => {
    lab = new ModuleLab()
    const exe = lab.compile('probe', C_PROBE)
    const r = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, HERMES_PROTOCOL: '' } })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("this module runs under Hermes Console's engine, which starts it (HERMES_PROTOCOL is not set)")
  })
})
