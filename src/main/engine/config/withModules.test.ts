import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ModuleDeclaration } from '../modules/declaration'
import type { ExternalModule, ModuleEnvironment } from '../modules/environment'
import { ConfigError, formatIssue } from './issues'
import { parseConfig } from './load'
import { parseConfigWithModules, type ModuleDescriber } from './withModules'

const dir = mkdtempSync(join(tmpdir(), 'hermes-declare-'))
for (const name of ['plant.py', 'ctrl.mjs', 'sensor.ts']) writeFileSync(join(dir, name), '')
const FILE = join(dir, 'config.yaml')
const PLANT = join(dir, 'plant.sh')
writeFileSync(PLANT, '#!/bin/sh\n')
chmodSync(PLANT, 0o755)

/** A describer that answers from a table instead of starting anything, and records what it was asked. */
function stub(table: Record<string, ModuleDeclaration['signals'] | Error>): { describe: ModuleDescriber; asked: [ExternalModule, ModuleEnvironment][] } {
  const asked: [ExternalModule, ModuleEnvironment][] = []
  const describe: ModuleDescriber = (mod, env) => {
    asked.push([mod, env])
    const answer = table[mod.name]
    if (answer instanceof Error) return Promise.reject(answer)
    return Promise.resolve({ signals: answer ?? [] })
  }
  return { describe, asked }
}

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  return error
}

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`

describe('signals that script and process modules declare themselves', () => {
  it('come after the YAML ones, in the module order, with the defaults of YAML signals', async () => {
    const { describe } = stub({ plant: [{ name: 'x', unit: 'm' }, { name: 'force', writable: true, initial: 2, type: 'i32' }, { name: 'debug', published: false }] })
    const { config, warnings } = await parseConfigWithModules(yaml('modules:', '  plant:', '    type: script', '    script: plant.py', '    signals:', '      - { name: force }'), FILE, { describe })
    expect(warnings).toEqual([])
    expect(config.modules[0]!.signals).toEqual([
      { name: 'force', qualified: 'plant.force', type: 'i32', unit: '', writable: true, published: true, initial: 2, description: '' },
      { name: 'x', qualified: 'plant.x', type: 'f64', unit: 'm', writable: false, published: true, initial: 0, description: '' },
      { name: 'debug', qualified: 'plant.debug', type: 'f64', unit: '', writable: false, published: false, initial: 0, description: '' }
    ])
  })

  it('the YAML wins where both give a field, with a warning at the field for each difference', async () => {
    const { describe } = stub({ plant: [{ name: 'x', unit: 'km', writable: false, type: 'f32', description: 'east' }] })
    const { config, warnings } = await parseConfigWithModules(
      yaml('modules:', '  plant:', '    type: process', `    executable: ${PLANT}`, '    signals:', '      - { name: x, unit: m, writable: true, type: f32 }'),
      FILE,
      { describe }
    )
    expect(config.modules[0]!.signals[0]).toMatchObject({ unit: 'm', writable: true, type: 'f32', description: 'east' })
    expect(warnings.map(formatIssue)).toEqual([
      `${FILE}:6:26: warning: modules.plant.signals[0].unit: unit is "m" here but "km" in plant.sh; the YAML wins`,
      `${FILE}:6:39: warning: modules.plant.signals[0].writable: writable is true here but false in plant.sh; the YAML wins`
    ])
  })

  it('a YAML signal that a declaring module does not have is an error, with a suggestion', async () => {
    const { describe } = stub({ ctrl: [{ name: 'position.x' }, { name: 'position.y' }] })
    const error = await failure(
      parseConfigWithModules(yaml('modules:', '  ctrl:', '    type: script', '    script: ctrl.mjs', '    signals:', '      - name: postion.x'), FILE, { describe })
    )
    expect(error.issues.map(formatIssue)).toEqual([
      `${FILE}:6:15: modules.ctrl.signals[0].name: ctrl.mjs does not declare signal 'postion.x' (did you mean 'position.x'?); it declares: position.x, position.y`
    ])
  })

  it('a module that declares nothing has exactly the YAML signals (Hermes-style modules)', async () => {
    const { describe } = stub({})
    const { config } = await parseConfigWithModules(yaml('modules:', '  plant:', '    type: script', '    script: plant.py', '    signals: [{ name: a }, { name: b, writable: true }]'), FILE, { describe })
    expect(config.modules[0]!.signals.map((s) => [s.name, s.writable])).toEqual([
      ['a', false],
      ['b', true]
    ])
  })

  it('wires are checked against declared signals: found, writable, and named right', async () => {
    const { describe } = stub({ plant: [{ name: 'y' }, { name: 'u', writable: true }], ctrl: [{ name: 'out' }, { name: 'meas', writable: true }] })
    const modules = ['modules:', '  plant: { type: script, script: plant.py }', '  ctrl: { type: script, script: ctrl.mjs }']
    const { config } = await parseConfigWithModules(yaml(...modules, 'wiring:', '  - { src: plant.y, dst: ctrl.meas }', '  - { src: ctrl.out, dst: plant.u, gain: -1 }'), FILE, { describe })
    expect(config.wires).toEqual([
      { src: 'plant.y', dst: 'ctrl.meas', gain: 1, offset: 0 },
      { src: 'ctrl.out', dst: 'plant.u', gain: -1, offset: 0 }
    ])
    const error = await failure(parseConfigWithModules(yaml(...modules, 'wiring:', '  - { src: plant.yy, dst: ctrl.out }'), FILE, { describe }))
    expect(error.issues.map(formatIssue)).toEqual([
      `${FILE}:5:12: wiring[0].src: source signal not found: plant.yy (did you mean 'y'?)`,
      `${FILE}:5:27: wiring[0].dst: destination not writable: ctrl.out (mark it 'writable: true' in its module's signals)`
    ])
  })

  it('without asking the modules (parseConfig), wires see only the YAML signals', () => {
    const text = yaml('modules:', '  plant: { type: script, script: plant.py }', 'wiring:', '  - { src: plant.y, dst: plant.u }')
    expect(() => parseConfig(text, FILE)).toThrow('source signal not found: plant.y')
  })

  it('a module that cannot be asked is an error at its script or executable, and its wires are not blamed too', async () => {
    const { describe } = stub({ plant: new Error('python3 plant.py exited with code 1 before its HELO') })
    const error = await failure(
      parseConfigWithModules(yaml('modules:', '  plant:', '    type: script', '    script: plant.py', 'wiring:', '  - { src: plant.y, dst: plant.u }'), FILE, { describe })
    )
    expect(error.issues.map(formatIssue)).toEqual([`${FILE}:4:13: modules.plant.script: python3 plant.py exited with code 1 before its HELO`])
  })

  it('asks each module once, with its environment: name, config path, rate, options, own config file', async () => {
    const { describe, asked } = stub({})
    await parseConfigWithModules(
      yaml(
        'modules:',
        '  plant: { type: script, script: plant.py, config: plant.toml, options: { k: 2 }, timeout_s: 0.5 }',
        '  sensor: { type: script, script: sensor.ts }',
        '  pid: { type: inproc, model: pid }',
        'execution: { rate_hz: 50, schedule: [pid, { name: plant, rate_hz: 200 }] }'
      ),
      FILE,
      { describe }
    )
    expect(asked).toEqual([
      [
        { name: 'plant', type: 'script', script: join(dir, 'plant.py'), executable: null, configFile: join(dir, 'plant.toml'), options: { k: 2 }, timeoutS: 0.5 },
        { name: 'plant', configPath: FILE, configFile: join(dir, 'plant.toml'), rateHz: 200, options: { k: 2 } }
      ],
      [
        { name: 'sensor', type: 'script', script: join(dir, 'sensor.ts'), executable: null, configFile: null, options: {}, timeoutS: 5 },
        { name: 'sensor', configPath: FILE, configFile: null, rateHz: 50, options: {} }
      ]
    ])
  })
})

describe('timeout_s', () => {
  it('defaults to 5 s, takes any positive number, and is only for script and process modules', async () => {
    const text = yaml('modules:', '  a: { type: script, script: plant.py }', '  b: { type: script, script: ctrl.mjs, timeout_s: 0.25 }', '  c: { type: inproc, model: sum, timeout_s: 1 }')
    const { config, warnings } = await parseConfigWithModules(text, FILE, stub({}))
    expect(config.modules.map((m) => m.timeoutS)).toEqual([5, 0.25, 5])
    expect(warnings.map(formatIssue)).toEqual([`${FILE}:4:34: warning: modules.c.timeout_s: timeout_s applies to script and process modules only; it is ignored here`])
    expect(() => parseConfig(yaml('modules:', '  a: { type: script, script: plant.py, timeout_s: 0 }'), FILE)).toThrow('modules.a.timeout_s: timeout_s must be positive')
  })
})
