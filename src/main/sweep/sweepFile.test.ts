// The sweep file: validation with line and column, parameter paths checked against the base
// configuration, and the plan of runs (grids, lists, seeded draws) the same in any order.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/testing'
import { configError } from '../engine/config/testing'
import { runParameters, runSets } from './plan'
import { parseSweep } from './sweepFile'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`
const dir = mkdtempSync(join(tmpdir(), 'hermes-sweepfile-'))
const file = join(dir, 'study.yaml')
const parse = (...lines: string[]) => parseSweep(yaml(...lines), file)
const fail = (...lines: string[]) => configError(() => parse(...lines))

const HEAD = [`config: ${DEMO}`, 'run:', '  end_time: 30']
const METRICS = ['metrics:', '  peak: max_abs(vehicle.position.x)']

describe('sweep file', () => {
  it('reads base, run settings, parameters and metrics', () => {
    const s = parse(
      ...HEAD,
      'seed: 3',
      'samples: 4',
      'parameters:',
      '  modules.pid_x.options.kp: { grid: [8, 12] }',
      '  modules.pid_x.options.kd: { grid: { from: 5, to: 9, steps: 3 } }',
      '  modules.vehicle.options.mass: { uniform: { min: 1.5, max: 2.5 } }',
      '  wiring[2].gain: { normal: { mean: 1, std: 0.1 } }',
      ...METRICS,
      '  t: crossing(vehicle.position.x, 2, rising)',
      '  n: faults()'
    )
    expect(s).toMatchObject({ configFile: DEMO, mode: 'afap', endTime: 30, seed: 3, samples: 4, runs: 2 * 3 * 4, resultsDir: join(dir, 'study.results') })
    expect(s.parameters.map((p) => [p.name, p.path, p.spec.kind])).toEqual([
      ['modules.pid_x.options.kp', ['modules', 'pid_x', 'options', 'kp'], 'grid'],
      ['modules.pid_x.options.kd', ['modules', 'pid_x', 'options', 'kd'], 'grid'],
      ['modules.vehicle.options.mass', ['modules', 'vehicle', 'options', 'mass'], 'uniform'],
      ['wiring[2].gain', ['wiring', 2, 'gain'], 'normal']
    ])
    expect(s.parameters[1]!.spec).toEqual({ kind: 'grid', values: [5, 7, 9] })
    expect(s.metrics.map((m) => m.name)).toEqual(['peak', 't', 'n'])
  })

  it('reports every error with its line and column', () => {
    const e = fail(
      ...HEAD,
      'samples: 0',
      'parameters:',
      '  modules.pid_x.options.kp: { grid: [] }',
      '  modules.pid_x.options.ki: { uniform: { min: 1 } }',
      '  modules.pid_x.options.kd: { between: [1, 2] }',
      'metrics:',
      '  peak: 3'
    )
    const at = new Map(e.issues.map((i) => [i.path, i]))
    expect(at.get('samples')).toMatchObject({ line: 4, column: 10, file })
    expect(at.get('parameters.modules.pid_x.options.kp.grid')).toMatchObject({ line: 6 })
    expect(at.get('parameters.modules.pid_x.options.ki.uniform.max')).toMatchObject({ line: 7 })
    expect(at.get('parameters.modules.pid_x.options.kd.between')).toBeUndefined()
    expect(at.get('metrics.peak')).toMatchObject({ line: 10, column: 9 })
    expect(at.get('metrics.peak')!.message).toContain('expected string')
  })

  it('checks each parameter path against the base configuration, at the key', () => {
    const e = fail(...HEAD, 'parameters:', '  modules.pid_z.options.kp: { list: [1, 2] }', '  wiring[40].gain: { list: [1, 2] }', ...METRICS)
    expect(e.issues[0]).toMatchObject({ path: 'parameters.modules.pid_z.options.kp', line: 5, column: 3 })
    expect(e.issues[0]!.message).toContain("not in the base configuration demo.yaml: modules has no key 'pid_z' (did you mean 'pid_x'?)")
    expect(e.issues[1]).toMatchObject({ line: 6, column: 3 })
    expect(e.issues[1]!.message).toContain('wiring has 10 entries')
  })

  it('refuses metrics it cannot read, lists of different lengths, two kinds at once, and no metric', () => {
    const bad = fail(...HEAD, 'metrics:', '  peak: median(vehicle.position.x)', '  status: faults()')
    expect(bad.issues.map((i) => [i.path, i.line])).toEqual([
      ['metrics.peak', 5],
      ['metrics.status', 6]
    ])
    expect(bad.issues[0]!.message).toContain("unknown metric 'median'")
    expect(bad.issues[1]!.message).toContain('already a column')
    const lists = fail(...HEAD, 'parameters:', '  wiring[0].gain: { list: [1, 2] }', '  wiring[1].gain: { list: [1, 2, 3] }', ...METRICS)
    expect(lists.issues[0]).toMatchObject({ path: 'parameters.wiring[1].gain.list', line: 6 })
    expect(lists.issues[0]!.message).toContain('must be as long')
    const two = fail(...HEAD, 'parameters:', '  wiring[0].gain: { list: [1], grid: [2] }', ...METRICS)
    expect(two.issues[0]!.message).toContain('give only one of grid, list, uniform or normal, not grid and list')
    expect(fail(...HEAD).issues[0]!.message).toContain('name at least one metric')
  })

  it('warns of an unknown key at its position and goes on', () => {
    const s = parse(...HEAD, 'sed: 3', ...METRICS)
    expect(s.warnings).toHaveLength(1)
    expect(s.warnings[0]).toMatchObject({ severity: 'warning', path: 'sed', line: 4, column: 1 })
    expect(s.warnings[0]!.message).toContain("unknown key 'sed' is ignored (did you mean 'seed'?)")
  })

  it('names a base configuration that cannot be read, with its own errors first', () => {
    const broken = join(dir, 'broken.yaml')
    writeFileSync(broken, 'modules: [\n')
    const e = fail(`config: ${broken}`, ...METRICS)
    expect(e.issues[0]).toMatchObject({ file: broken, line: 2 })
    expect(e.issues.at(-1)).toMatchObject({ file, path: 'config', line: 1 })
  })
})

describe('plan', () => {
  const sweep = parse(
    ...HEAD,
    'seed: 11',
    'samples: 3',
    'parameters:',
    '  modules.pid_x.options.kp: { grid: [1, 2] }',
    '  modules.pid_x.options.kd: { grid: [10, 20, 30] }',
    '  wiring[0].gain: { list: [0.5, 0.7] }',
    '  wiring[1].gain: { list: [5, 7] }',
    '  modules.vehicle.options.mass: { uniform: { min: 1, max: 2 } }',
    '  modules.vehicle.options.damping: { normal: { mean: 0.4, std: 0.05 } }',
    ...METRICS
  )

  it('combines grids (the first slowest), varies lists together, and repeats each point for its samples', () => {
    expect(sweep.runs).toBe(2 * 3 * 2 * 3)
    const points = Array.from({ length: sweep.runs }, (_, i) => runParameters(sweep, i).slice(0, 4).join(' '))
    expect(points.slice(0, 7)).toEqual(['1 10 0.5 5', '1 10 0.5 5', '1 10 0.5 5', '1 10 0.7 7', '1 10 0.7 7', '1 10 0.7 7', '1 20 0.5 5'])
    expect(new Set(points).size).toBe(12)
    expect(points.at(-1)).toBe('2 30 0.7 7')
  })

  it('draws from the seed and the index only: the same in any order, different between runs', () => {
    const forward = Array.from({ length: sweep.runs }, (_, i) => runParameters(sweep, i))
    const backward = Array.from({ length: sweep.runs }, (_, i) => runParameters(sweep, sweep.runs - 1 - i)).reverse()
    expect(backward).toEqual(forward)
    const masses = forward.map((p) => p[4] as number)
    expect(new Set(masses).size).toBe(sweep.runs)
    for (const m of masses) expect(m >= 1 && m < 2).toBe(true)
    const draw = (seed: number): number => runParameters(parseSweep(yaml(...HEAD, `seed: ${seed}`, 'parameters:', '  modules.vehicle.options.mass: { uniform: { min: 1, max: 2 } }', ...METRICS), file), 0)[0] as number
    expect(draw(11)).toBe(draw(11))
    expect(draw(12)).not.toBe(draw(11))
  })

  it('turns a run into --set overrides', () => {
    const sets = runSets(sweep, 4)
    expect(sets[2]).toMatchObject({ path: ['wiring', 0, 'gain'], value: 0.7, text: 'wiring[0].gain=0.7' })
    expect(() => runParameters(sweep, sweep.runs)).toThrow('outside 0 to 35')
  })
})
