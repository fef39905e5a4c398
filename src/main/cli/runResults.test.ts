// `hermes run --set ... --results ... --metric ...` and `hermes validate --set`, as a user runs them.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hermes, ROOT } from './testing'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const temp = (): string => mkdtempSync(join(tmpdir(), 'hermes-results-'))

describe('hermes run --set, --results and --metric', () => {
  it('writes the summary and the metrics of a run changed by --set', () => {
    const out = join(temp(), 'out.json')
    const args = ['run', DEMO, '--no-server', '--mode', 'afap', '--end-time', '2', '--results', out]
    const metrics = ['--metric', 'peak=max_abs(vehicle.position.x)', '--metric', 'final(pid_x.setpoint)', '--metric', 'faults()', '--metric', 'up=crossing(vehicle.position.x, 1)']
    const slow = hermes(...args, ...metrics, '--set', 'modules.pid_x.options.kp=2')
    expect(slow.status, slow.stderr).toBe(0)
    const a = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>
    expect(a).toMatchObject({ status: 'ok', error: '', sets: { 'modules.pid_x.options.kp': 2 }, summary: { frames: 200, simulatedSeconds: 2 } })
    const fast = hermes(...args, ...metrics, '--set', 'modules.pid_x.options.kp=40')
    expect(fast.status, fast.stderr).toBe(0)
    const b = JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, number | null> }
    const am = (a as { metrics: Record<string, number | null> }).metrics
    expect(Object.keys(b.metrics)).toEqual(['peak', 'final(pid_x.setpoint)', 'faults()', 'up'])
    expect(am['final(pid_x.setpoint)']).toBe(4)
    expect(am['faults()']).toBe(0)
    // A stiffer controller gets the vehicle to the 4 m target sooner: it crosses 1 m earlier.
    expect(b.metrics.up).toBeLessThan(am.up!)
    expect(b.metrics.peak).not.toBe(am.peak)
  }, 180_000)

  it('writes the summary of a plain run with --results', () => {
    const out = join(temp(), 'plain.json')
    const r = hermes('run', DEMO, '--no-server', '--mode', 'afap', '--end-time', '1', '--results', out)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ status: 'ok', summary: { frames: 100 }, metrics: {} })
  }, 180_000)

  it('refuses a metric of a signal that does not exist, and --metric with the server', () => {
    const r = hermes('run', DEMO, '--no-server', '--mode', 'afap', '--end-time', '1', '--metric', 'max(vehicle.nothing)')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("no signal 'vehicle.nothing'")
    const served = hermes('run', DEMO, '--end-time', '1', '--metric', 'faults()')
    expect(served.status).toBe(1)
    expect(served.stderr).toContain('add --no-server')
    const bad = hermes('run', DEMO, '--metric', 'median(vehicle.position.x)')
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain("unknown metric 'median'")
  }, 180_000)

  it('refuses a --set path that does not exist, before running anything', () => {
    const r = hermes('run', DEMO, '--no-server', '--set', 'modules.pid_q.options.kp=1', '--set', 'wiring[99].gain=2')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("modules.pid_q.options.kp: modules has no key 'pid_q' (did you mean 'pid_x'?)")
    expect(r.stderr).toContain('wiring[99].gain: wiring has 10 entries')
    expect(r.stderr).toContain('2 errors in')
  }, 180_000)

  it('validate takes --set too', () => {
    const ok = hermes('validate', DEMO, '--set', 'modules.vehicle.options.mass=4')
    expect(ok.status, ok.stderr).toBe(0)
    const bad = hermes('validate', DEMO, '--set', 'modules.vehicle.options.mass=heavy')
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('modules.vehicle.options.mass: expected number, received string (set by an override, not in the file)')
  }, 180_000)
})
