import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HAS_PROC, HAS_PYTHON, ModuleLab, skipNotice } from './engine/modules/testing'
import { hermes, killRuns, ROOT, runSeedClient, SEED_CLIENT_AVAILABLE, startRun } from './cli/testing'

const EXAMPLES = join(ROOT, 'resources', 'examples')
let lab: ModuleLab


afterEach(async () => {
  killRuns()
  await lab?.cleanup()
})

skipNotice(!HAS_PYTHON, 'hermes run with Python modules', 'no python3 on PATH')

/** The seed 000 example (YAML unchanged, mock_module.py next to it) in a fresh folder that marks its processes. */
function seedExample(): string {
  lab = new ModuleLab()
  copyFileSync(join(EXAMPLES, 'mock_module.py'), join(lab.dir, 'mock_module.py'))
  const yaml = join(lab.dir, 'seed000_websocket_telemetry.yaml')
  copyFileSync(join(EXAMPLES, 'seed000_websocket_telemetry.yaml'), yaml)
  return yaml
}

describe('hermes with script and process modules', () => {
  it('lists and validates the signals a script module declares itself', () => {
    const r = hermes('list-signals', join(EXAMPLES, 'script_vehicle.yaml'))
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^vehicle\.position\.x\s+vehicle\s+f64\s+m\s+-$/m)
    expect(r.stdout).toMatch(/^vehicle\.velocity\.y\s+vehicle\s+f64\s+m\/s\s+-$/m)
    const v = hermes('validate', join(EXAMPLES, 'script_vehicle.yaml'))
    expect(v.stdout).toContain(': valid: 1 modules, 4 signals, 0 wires, realtime at 100 Hz')
  })

  it.skipIf(!HAS_PYTHON)("runs seed 000's example with mock_module.py through the Python helper, headless", () => {
    const yaml = seedExample()
    const r = hermes('run', yaml, '--mode', 'afap', '--end-time', '2', '--no-server', '--print', 'vehicle.*', '--print-rate', '1000')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^200\s+2\.000 s\s/m)
  })

  it.skipIf(!HAS_PYTHON)('a module fault headless: exit code 1 and the same message the clients get', () => {
    lab = new ModuleLab()
    lab.write('quits.py', 'import sys\nfrom hermes_module import Module, run\n\nclass Q(Module):\n    signals = ["n"]\n    def step(self, t):\n        if t.frame == 5:\n            print("cannot go on")\n            sys.exit(3)\n\nrun(Q())\n')
    const yaml = lab.write('config.yaml', `modules:\n  quitter: { type: script, script: ./quits.py }\nexecution: { mode: afap, end_time: 10 }\n`)
    const r = hermes('run', yaml, '--no-server')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("hermes: module 'quitter' failed at frame 5: python3 quits.py exited with code 3 during step; last lines of its standard error:\n  | cannot go on\n")
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  })

  it.skipIf(!HAS_PYTHON)('a module that cannot start is a configuration error, exit code 1', () => {
    lab = new ModuleLab()
    lab.write('broken.py', 'raise SystemExit("no configuration for me")\n')
    const yaml = lab.write('config.yaml', 'modules:\n  b: { type: script, script: ./broken.py }\n')
    const r = hermes('run', yaml, '--no-server')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${yaml}:2:30: modules.b.script: python3 broken.py exited with code 1 before its HELO; last lines of its standard error:\n  | no configuration for me\n`)
  })

  it.skipIf(!HAS_PYTHON || !HAS_PROC)('Ctrl+C stops cleanly (exit 0) and leaves no module process behind', async () => {
    const yaml = seedExample()
    const { child, exited, output } = await startRun(yaml, '--port', '0')
    // The engine itself is there too: the config path is in its command line.
    expect(lab.processes().filter((pid) => pid !== child.pid)).toHaveLength(1)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(output()).toMatch(/interrupted, stopped cleanly/)
    expect(lab.processes()).toEqual([])
  })

  it.skipIf(!HAS_PYTHON || !HAS_PROC)('a killed engine (SIGKILL) leaves no module process behind: modules end at end of input', async () => {
    const yaml = seedExample()
    const { child, exited } = await startRun(yaml, '--no-server', '--mode', 'afap')
    expect(lab.processes().filter((pid) => pid !== child.pid)).toHaveLength(1)
    child.kill('SIGKILL')
    await exited
    expect(await lab.processesAfter(5000)).toEqual([])
  })

  it.skipIf(!HAS_PYTHON || !HAS_PROC || process.platform !== 'linux')('a killed engine whose module is stuck in a step: Linux ends the module with it', async () => {
    lab = new ModuleLab()
    lab.write('stuck.py', 'import time\nfrom hermes_module import Module, run\n\nclass S(Module):\n    signals = ["n"]\n    def step(self, t):\n        time.sleep(3600)\n\nrun(S())\n')
    const yaml = lab.write('config.yaml', 'modules:\n  s: { type: script, script: ./stuck.py, timeout_s: 3600 }\nexecution: { mode: afap }\n')
    const { child, exited } = await startRun(yaml, '--no-server')
    expect(lab.processes().filter((pid) => pid !== child.pid)).toHaveLength(1)
    child.kill('SIGKILL')
    await exited
    expect(await lab.processesAfter(5000)).toEqual([])
  })

  it.skipIf(!(HAS_PYTHON && SEED_CLIENT_AVAILABLE))("seed 000's Python client against seed 000's configuration, mock_module.py included", async () => {
    const yaml = seedExample()
    const { child, port, exited } = await startRun(yaml, '--port', '0')
    const seen = runSeedClient(port!)
    expect(seen.modules).toEqual(['vehicle'])
    expect(seen.subscribed).toBe(4)
    expect((seen.first_values as number[]).slice(2)).toEqual([1.0, 0.5])
    expect(seen.frame_after_step).toBe(seen.step_frame)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    if (HAS_PROC) expect(lab.processes()).toEqual([])
  })
  if (!(HAS_PYTHON && SEED_CLIENT_AVAILABLE)) console.warn('SKIPPED: seed 000 client with mock_module.py: needs python3 and /usr/bin/python3 with websockets')
})
