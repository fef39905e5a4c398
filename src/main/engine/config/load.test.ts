import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, type ConfigIssue } from './issues'
import { loadConfigFile, parseConfig, type LoadedConfig, type ParseOptions } from './load'
import { configError } from './testing'
import type { ResolvedModule, ResolvedSignal } from './types'

/** YAML text from lines, so that line numbers in the tests can be read off the array. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`

const parse = (text: string, options: ParseOptions = {}): LoadedConfig => parseConfig(text, 'test.yaml', { checkFiles: false, ...options })

const parseError = (text: string, options: ParseOptions = {}): ConfigError => configError(() => parse(text, options))

interface Expected {
  line: number
  column: number
  path: string
  /** Parts the message must contain. */
  message: string[]
}

function expectIssue(issue: ConfigIssue | undefined, severity: ConfigIssue['severity'], expected: Expected, file = 'test.yaml'): void {
  expect(issue).toBeDefined()
  if (!issue) return
  expect({ severity: issue.severity, file: issue.file, line: issue.line, column: issue.column, path: issue.path }).toEqual({
    severity,
    file,
    line: expected.line,
    column: expected.column,
    path: expected.path
  })
  for (const part of expected.message) expect(issue.message).toContain(part)
}

/** The text fails with exactly this one error. */
function expectOnlyError(text: string, expected: Expected, options: ParseOptions = {}): ConfigError {
  const error = parseError(text, options)
  expect(error.issues).toHaveLength(1)
  expectIssue(error.issues[0], 'error', expected)
  return error
}

function moduleNamed(loaded: LoadedConfig, name: string): ResolvedModule {
  const mod = loaded.config.modules.find((m) => m.name === name)
  if (!mod) throw new Error(`no module ${name}`)
  return mod
}

function signalNamed(mod: ResolvedModule, name: string): ResolvedSignal {
  const signal = mod.signals.find((s) => s.name === name)
  if (!signal) throw new Error(`no signal ${name} in ${mod.name}`)
  return signal
}

const PID = ['modules:', '  a:', '    type: inproc', '    model: pid']

// Two modules, for schedules and wires: a PID (setpoint, measurement writable) and a point mass.
const TWO = [
  'modules:', //                 1
  '  ctrl:', //                  2
  '    type: inproc', //         3
  '    model: pid', //           4
  '  vehicle:', //               5
  '    type: inproc', //         6
  '    model: point_mass' //     7
]

describe('invalid YAML', () => {
  it('reports bad indentation at its line and column', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '   model: pid'), {
      line: 4,
      column: 1,
      path: '',
      message: ['invalid YAML', 'same column']
    })
  })

  it('reports an unclosed flow sequence where the file ends without its ]', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: injection', '    signals: [ { name: x }'), {
      line: 6,
      column: 1,
      path: '',
      message: ['invalid YAML', 'end with a ]']
    })
  })

  it('reports an unclosed flow mapping', () => {
    expectOnlyError(yaml('modules:', '  a: { type: inproc, model: pid', 'execution: {}'), {
      line: 3,
      column: 1,
      path: '',
      message: ['invalid YAML', 'end with a }']
    })
  })

  it('reports a missing closing quote', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: "inproc', '    model: pid'), {
      line: 5,
      column: 1,
      path: '',
      message: ['invalid YAML', 'Missing closing "quote']
    })
  })

  it('reports tabs used as indentation, on each line that has them', () => {
    const error = parseError(yaml('modules:', '\ta:', '\t\ttype: inproc'))
    expect(error.issues).toHaveLength(2)
    expectIssue(error.issues[0], 'error', { line: 2, column: 1, path: '', message: ['invalid YAML', 'Tabs are not allowed as indentation'] })
    expectIssue(error.issues[1], 'error', { line: 3, column: 1, path: '', message: ['invalid YAML', 'Tabs are not allowed as indentation'] })
  })

  it('reports a duplicate key in a map at the second occurrence', () => {
    expectOnlyError(yaml(...PID, '    model: sum'), {
      line: 5,
      column: 5,
      path: '',
      message: ['invalid YAML', 'Map keys must be unique']
    })
  })

  it('reports a module defined twice as a duplicate key', () => {
    expectOnlyError(yaml(...PID, '  a:', '    type: inproc', '    model: sum'), {
      line: 5,
      column: 3,
      path: '',
      message: ['Map keys must be unique']
    })
  })

  it('formats each issue as file:line:column: path: message in the error text', () => {
    const error = parseError(yaml('modules:', '  a:', '    type: inproc', '    model: pdi'))
    expect(error.name).toBe('ConfigError')
    expect(error.message).toBe(
      "test.yaml:4:12: modules.a.model: unknown model 'pdi' (did you mean 'pid'?); available: injection, signal_generator, point_mass, pid, sum, mock_physics"
    )
  })
})

describe('empty and non-mapping files', () => {
  it('rejects an empty file', () => {
    expectOnlyError('', { line: 1, column: 1, path: '', message: ['the file is empty', 'modules'] })
  })

  it('rejects a file with only comments as empty', () => {
    expectOnlyError(yaml('# nothing here', '# at all'), { line: 1, column: 1, path: '', message: ['the file is empty'] })
  })

  it('rejects a top-level list', () => {
    expectOnlyError(yaml('- modules', '- wiring'), { line: 1, column: 1, path: '', message: ['expected a mapping', 'top level'] })
  })

  it('rejects a top-level scalar', () => {
    expectOnlyError(yaml('# a comment first', 'hello'), { line: 2, column: 1, path: '', message: ['expected a mapping', 'top level'] })
  })
})

describe('missing required fields', () => {
  it('requires modules', () => {
    expectOnlyError(yaml('version: "0.2"', 'execution:', '  rate_hz: 100'), {
      line: 1,
      column: 1,
      path: 'modules',
      message: ['required', 'expected a mapping']
    })
  })

  it('requires a module type, pointing at the module', () => {
    expectOnlyError(yaml('modules:', '  a:', '    model: pid'), {
      line: 3,
      column: 5,
      path: 'modules.a.type',
      message: ['required', 'inproc', 'script', 'process']
    })
  })

  it('requires a signal name, pointing at the signal', () => {
    expectOnlyError(
      yaml('modules:', '  vehicle:', '    type: inproc', '    model: injection', '    signals:', '      - { name: x }', '      - { unit: m }'),
      { line: 7, column: 9, path: 'modules.vehicle.signals[1].name', message: ['required', 'expected string'] }
    )
  })

  it('rejects an empty signal name', () => {
    expectOnlyError(yaml('modules:', '  vehicle:', '    type: inproc', '    model: injection', '    signals:', '      - name: ""'), {
      line: 6,
      column: 15,
      path: 'modules.vehicle.signals[0].name',
      message: ['non-empty signal name']
    })
  })

  it('requires a model for inproc modules and lists the available ones', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc'), {
      line: 3,
      column: 5,
      path: 'modules.a',
      message: ["inproc modules need a 'model'", 'point_mass', 'pid']
    })
  })

  it('requires an executable for process modules', () => {
    expectOnlyError(yaml('modules:', '  p:', '    type: process'), {
      line: 3,
      column: 5,
      path: 'modules.p',
      message: ["'executable' required for process modules"]
    })
  })

  it('requires a script for script modules', () => {
    expectOnlyError(yaml('modules:', '  s:', '    type: script', '    script: null'), {
      line: 3,
      column: 5,
      path: 'modules.s',
      message: ["'script' required for script modules"]
    })
  })

  it('rejects a module with no body', () => {
    expectOnlyError(yaml('modules:', '  a:'), { line: 2, column: 5, path: 'modules.a', message: ['expected a mapping', 'received null'] })
  })

  it('requires the src of a wire', () => {
    expectOnlyError(yaml(...PID, 'wiring:', '  - { dst: a.setpoint }'), {
      line: 6,
      column: 5,
      path: 'wiring[0].src',
      message: ['required', 'expected string']
    })
  })
})

describe('wrong types', () => {
  it('rejects a rate_hz that is not a number', () => {
    expectOnlyError(yaml(...PID, 'execution:', '  rate_hz: fast'), {
      line: 6,
      column: 12,
      path: 'execution.rate_hz',
      message: ['expected number', 'received string']
    })
  })

  it('rejects signals given as bare strings, one error each', () => {
    const error = parseError(yaml('modules:', '  a:', '    type: inproc', '    model: injection', '    signals: [a, b]'))
    expect(error.issues).toHaveLength(2)
    expectIssue(error.issues[0], 'error', { line: 5, column: 15, path: 'modules.a.signals[0]', message: ['expected a mapping', 'received string'] })
    expectIssue(error.issues[1], 'error', { line: 5, column: 18, path: 'modules.a.signals[1]', message: ['expected a mapping', 'received string'] })
  })

  it('rejects writable given as a quoted string', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: injection', '    signals:', '      - name: x', '        writable: "yes"'), {
      line: 7,
      column: 19,
      path: 'modules.a.signals[0].writable',
      message: ['expected boolean', 'received string']
    })
  })

  it('rejects an unknown signal type', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: injection', '    signals:', '      - { name: x, type: f16 }'), {
      line: 6,
      column: 26,
      path: 'modules.a.signals[0].type',
      message: ['expected one of', 'f64']
    })
  })

  it('rejects modules given as a list', () => {
    expectOnlyError(yaml('modules: [a, b]'), { line: 1, column: 10, path: 'modules', message: ['expected a mapping', 'received a list'] })
  })

  it('rejects a port given as a string', () => {
    expectOnlyError(yaml(...PID, 'server:', '  port: "8080"'), { line: 6, column: 9, path: 'server.port', message: ['expected number', 'received string'] })
  })

  it('rejects an unknown execution mode', () => {
    expectOnlyError(yaml(...PID, 'execution:', '  mode: fast'), {
      line: 6,
      column: 9,
      path: 'execution.mode',
      message: ['expected one of', 'afap', 'realtime', 'single_frame']
    })
  })

  it('rejects a wrong option type inside a model', () => {
    expectOnlyError(yaml(...PID, '    options:', '      kp: high'), {
      line: 6,
      column: 11,
      path: 'modules.a.options.kp',
      message: ['expected number', 'received string']
    })
  })

  it("runs a model's own option checks", () => {
    expectOnlyError(yaml(...PID, '    options: { output_min: 5, output_max: 1 }'), {
      line: 5,
      column: 28,
      path: 'modules.a.options.output_min',
      message: ['output_min must be less than output_max']
    })
  })

  it('reports every problem at once, not just the first', () => {
    const error = parseError(yaml(...PID, 'execution:', '  rate_hz: 0', 'server:', '  port: 70000'))
    expect(error.issues).toHaveLength(2)
    expectIssue(error.issues[0], 'error', { line: 6, column: 12, path: 'execution.rate_hz', message: ['rate_hz must be positive'] })
    expectIssue(error.issues[1], 'error', { line: 8, column: 9, path: 'server.port', message: ['between 0 and 65535'] })
  })

  it('points at the value even when a module name parses as a number', () => {
    expectOnlyError(yaml('modules:', '  1:', '    type: plugin'), { line: 3, column: 11, path: 'modules.1.type', message: ['expected one of'] })
  })
})

describe('module types and models', () => {
  it('rejects an unknown module type', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: plugin'), {
      line: 3,
      column: 11,
      path: 'modules.a.type',
      message: ['expected one of', '"inproc"', '"script"', '"process"']
    })
  })

  it("rejects an unknown inproc model with a 'did you mean'", () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: pdi'), {
      line: 4,
      column: 12,
      path: 'modules.a.model',
      message: ["unknown model 'pdi'", "(did you mean 'pid'?)", 'available: injection, signal_generator, point_mass, pid, sum']
    })
  })

  it('suggests a model one letter away', () => {
    expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: point_mas'), {
      line: 4,
      column: 12,
      path: 'modules.a.model',
      message: ["unknown model 'point_mas'", "(did you mean 'point_mass'?)"]
    })
  })

  it('suggests nothing for a model that is not close to any', () => {
    const error = expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    model: rocket'), {
      line: 4,
      column: 12,
      path: 'modules.a.model',
      message: ["unknown model 'rocket'", 'available:']
    })
    expect(error.issues[0]?.message).not.toContain('did you mean')
  })

  it('rejects a module name with a dot, at the key', () => {
    expectOnlyError(yaml('modules:', '  a.b:', '    type: inproc', '    model: pid'), {
      line: 2,
      column: 3,
      path: 'modules.a.b',
      message: ["module name 'a.b'", "contain no '.'"]
    })
  })
})

describe('numeric ranges', () => {
  it.each([
    ['0', 12],
    ['-5', 12]
  ])('rejects rate_hz %s', (value, column) => {
    expectOnlyError(yaml(...PID, 'execution:', `  rate_hz: ${value}`), { line: 6, column, path: 'execution.rate_hz', message: ['rate_hz must be positive'] })
  })

  it('rejects a rate_hz so high that the frame period would be under 1 ns', () => {
    expectOnlyError(yaml(...PID, 'execution:', '  rate_hz: 1e10'), { line: 6, column: 12, path: 'execution.rate_hz', message: ['too high', 'at most 1000000000 Hz', '1 ns'] })
  })

  it('rejects an infinite rate_hz', () => {
    expectOnlyError(yaml(...PID, 'execution:', '  rate_hz: .inf'), { line: 6, column: 12, path: 'execution.rate_hz', message: ['received Infinity'] })
  })

  it.each(['0', '-2'])('rejects telemetry_hz %s', (value) => {
    expectOnlyError(yaml(...PID, 'server:', `  telemetry_hz: ${value}`), {
      line: 6,
      column: 17,
      path: 'server.telemetry_hz',
      message: ['telemetry_hz must be positive']
    })
  })

  it('rejects telemetry_hz above 1000', () => {
    expectOnlyError(yaml(...PID, 'server:', '  telemetry_hz: 5000'), { line: 6, column: 17, path: 'server.telemetry_hz', message: ['at most 1000'] })
  })

  it('rejects a negative end_time', () => {
    expectOnlyError(yaml(...PID, 'execution:', '  end_time: -1'), { line: 6, column: 13, path: 'execution.end_time', message: ['end_time must not be negative'] })
  })

  it('accepts end_time 0 and null', () => {
    expect(parse(yaml(...PID, 'execution:', '  end_time: 0')).config.execution.endTimeNs).toBe(0)
    expect(parse(yaml(...PID, 'execution:', '  end_time: null')).config.execution.endTimeNs).toBeNull()
  })

  it.each(['70000', '-1', '65536'])('rejects port %s', (value) => {
    expectOnlyError(yaml(...PID, 'server:', `  port: ${value}`), { line: 6, column: 9, path: 'server.port', message: ['port must be between 0 and 65535'] })
  })

  it('rejects a non-integer port', () => {
    expectOnlyError(yaml(...PID, 'server:', '  port: 8080.5'), { line: 6, column: 9, path: 'server.port', message: ['port must be an integer'] })
  })

  it.each([0, 65535])('accepts port %d', (port) => {
    expect(parse(yaml(...PID, 'server:', `  port: ${port}`)).config.server.port).toBe(port)
  })
})

describe('schedule', () => {
  it("rejects an entry naming an unknown module, with a 'did you mean'", () => {
    expectOnlyError(yaml(...TWO, 'execution:', '  schedule:', '    - ctrl', '    - vehicel'), {
      line: 11,
      column: 7,
      path: 'execution.schedule[1]',
      message: ['schedule references unknown module: vehicel', "(did you mean 'vehicle'?)"]
    })
  })

  it('rejects a module listed twice', () => {
    expectOnlyError(yaml(...TWO, 'execution:', '  schedule:', '    - ctrl', '    - vehicle', '    - { name: ctrl }'), {
      line: 12,
      column: 7,
      path: 'execution.schedule[2]',
      message: ["module 'ctrl' is listed twice in the schedule"]
    })
  })

  it('rejects a module rate that is not an integer multiple of the frame rate', () => {
    expectOnlyError(yaml(...TWO, 'execution:', '  rate_hz: 100', '  schedule:', '    - ctrl', '    - { name: vehicle, rate_hz: 150 }'), {
      line: 12,
      column: 33,
      path: 'execution.schedule[1].rate_hz',
      message: ["rate_hz 150 of module 'vehicle'", 'integer multiple of execution.rate_hz 100']
    })
  })

  it('rejects a module rate slower than the frame rate', () => {
    expectOnlyError(yaml(...TWO, 'execution:', '  rate_hz: 100', '  schedule:', '    - ctrl', '    - name: vehicle', '      rate_hz: 50'), {
      line: 13,
      column: 16,
      path: 'execution.schedule[1].rate_hz',
      message: ["rate_hz 50 of module 'vehicle'", 'integer multiple of execution.rate_hz 100']
    })
  })

  it('rejects a non-positive module rate', () => {
    expectOnlyError(yaml(...TWO, 'execution:', '  schedule:', '    - { name: vehicle, rate_hz: 0 }'), {
      line: 10,
      column: 33,
      path: 'execution.schedule[0].rate_hz',
      message: ['rate_hz must be positive']
    })
  })

  it('accepts a faster module rate as sub-steps', () => {
    const loaded = parse(yaml(...TWO, 'execution:', '  rate_hz: 100', '  schedule:', '    - ctrl', '    - { name: vehicle, rate_hz: 500 }'))
    expect(loaded.warnings).toEqual([])
    expect(loaded.config.execution.schedule).toEqual([
      { module: 'ctrl', substeps: 1 },
      { module: 'vehicle', substeps: 5 }
    ])
  })

  it('accepts a module rate equal to the frame rate as one step', () => {
    const loaded = parse(yaml(...TWO, 'execution:', '  rate_hz: 60', '  schedule:', '    - { name: vehicle, rate_hz: 60 }', '    - ctrl'))
    expect(loaded.config.execution.schedule).toEqual([
      { module: 'vehicle', substeps: 1 },
      { module: 'ctrl', substeps: 1 }
    ])
  })

  it('appends modules missing from the schedule, with a warning', () => {
    const loaded = parse(yaml(...TWO, 'execution:', '  schedule:', '    - vehicle'))
    expect(loaded.config.execution.schedule).toEqual([
      { module: 'vehicle', substeps: 1 },
      { module: 'ctrl', substeps: 1 }
    ])
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', { line: 10, column: 5, path: 'execution.schedule', message: ['not in the schedule', 'ctrl'] })
  })

  it('uses configuration order when there is no schedule', () => {
    expect(parse(yaml(...TWO)).config.execution.schedule).toEqual([
      { module: 'ctrl', substeps: 1 },
      { module: 'vehicle', substeps: 1 }
    ])
  })
})

describe('wiring', () => {
  it("rejects a wire from an unknown module, with a 'did you mean'", () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicel.position.x, dst: ctrl.measurement }'), {
      line: 9,
      column: 12,
      path: 'wiring[0].src',
      message: ['source module not found: vehicel', "(did you mean 'vehicle'?)"]
    })
  })

  it('rejects a wire into an unknown module', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicle.position.x, dst: plant.measurement }'), {
      line: 9,
      column: 37,
      path: 'wiring[0].dst',
      message: ['destination module not found: plant']
    })
  })

  it("rejects a wire from an unknown signal, with a 'did you mean'", () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicle.postion.x, dst: ctrl.measurement }'), {
      line: 9,
      column: 12,
      path: 'wiring[0].src',
      message: ['source signal not found: vehicle.postion.x', "(did you mean 'position.x'?)"]
    })
  })

  it('rejects a wire into an unknown signal', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - src: vehicle.position.x', '    dst: ctrl.feedback'), {
      line: 10,
      column: 10,
      path: 'wiring[0].dst',
      message: ['destination signal not found: ctrl.feedback']
    })
  })

  it('rejects a wire into a signal that is not writable', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: ctrl.output, dst: vehicle.position.x }'), {
      line: 9,
      column: 30,
      path: 'wiring[0].dst',
      message: ['destination not writable: vehicle.position.x', 'writable: true']
    })
  })

  it('rejects a wire from a signal to itself', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicle.position.x, dst: ctrl.measurement }', '  - { src: ctrl.setpoint, dst: ctrl.setpoint }'), {
      line: 10,
      column: 5,
      path: 'wiring[1]',
      message: ['cannot wire a signal to itself: ctrl.setpoint']
    })
  })

  it('rejects a wire end without a dot', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicle, dst: ctrl.measurement }'), {
      line: 9,
      column: 12,
      path: 'wiring[0].src',
      message: ["expected 'module.signal' format: vehicle"]
    })
  })

  it('rejects a wire end with an empty signal part', () => {
    expectOnlyError(yaml(...TWO, 'wiring:', '  - { src: vehicle.position.x, dst: "ctrl." }'), {
      line: 9,
      column: 37,
      path: 'wiring[0].dst',
      message: ["expected 'module.signal' format: ctrl."]
    })
  })

  it('resolves valid wires with their gain and offset, and warns when two write one signal', () => {
    const loaded = parse(
      yaml(...TWO, 'wiring:', '  - { src: vehicle.position.x, dst: ctrl.measurement, gain: 2, offset: -1 }', '  - { src: vehicle.position.y, dst: ctrl.measurement }')
    )
    expect(loaded.config.wires).toEqual([
      { src: 'vehicle.position.x', dst: 'ctrl.measurement', gain: 2, offset: -1 },
      { src: 'vehicle.position.y', dst: 'ctrl.measurement', gain: 1, offset: 0 }
    ])
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', { line: 10, column: 37, path: 'wiring[1].dst', message: ['also written by wiring[0]'] })
  })

  it('accepts an empty wiring key', () => {
    expect(parse(yaml(...TWO, 'wiring:')).config.wires).toEqual([])
  })
})

describe('signals', () => {
  it('rejects duplicate signal names within one module, at the second', () => {
    expectOnlyError(yaml('modules:', '  d:', '    type: inproc', '    model: injection', '    signals:', '      - name: x', '      - name: y', '      - name: x'), {
      line: 8,
      column: 15,
      path: 'modules.d.signals[2].name',
      message: ["duplicate signal 'x'", 'also at signals[0]']
    })
  })

  it('reports a duplicate signal of a fixed-signal model once, not also as unknown', () => {
    expectOnlyError(yaml('modules:', '  vehicle:', '    type: inproc', '    model: point_mass', '    signals:', '      - name: force.x', '      - name: force.x'), {
      line: 7,
      column: 15,
      path: 'modules.vehicle.signals[1].name',
      message: ["duplicate signal 'force.x'", 'also at signals[0]']
    })
  })

  it('rejects duplicate signal names in a script module', () => {
    expectOnlyError(yaml('modules:', '  s:', '    type: script', '    script: s.py', '    signals: [{ name: a }, { name: a }]'), {
      line: 5,
      column: 36,
      path: 'modules.s.signals[1].name',
      message: ["duplicate signal 'a'"]
    })
  })

  it("lets the YAML's flags win over the model's defaults", () => {
    const loaded = parse(
      yaml(
        'modules:',
        '  vehicle:',
        '    type: inproc',
        '    model: point_mass',
        '    signals:',
        '      - { name: force.x, writable: false, published: false, unit: kN, initial: 3, description: thrust }',
        '      - { name: position.x, writable: true, type: f32 }'
      )
    )
    const vehicle = moduleNamed(loaded, 'vehicle')
    expect(signalNamed(vehicle, 'force.x')).toEqual({
      name: 'force.x',
      qualified: 'vehicle.force.x',
      type: 'f64',
      unit: 'kN',
      writable: false,
      published: false,
      initial: 3,
      description: 'thrust'
    })
    expect(signalNamed(vehicle, 'position.x')).toMatchObject({ writable: true, type: 'f32', unit: 'm', published: true })
    // Not declared in the YAML: the model's defaults.
    expect(signalNamed(vehicle, 'force.y')).toEqual({
      name: 'force.y',
      qualified: 'vehicle.force.y',
      type: 'f64',
      unit: 'N',
      writable: true,
      published: true,
      initial: 0,
      description: 'applied force along y'
    })
  })

  it("puts YAML-declared signals first, in YAML order, then the model's others in its order", () => {
    const loaded = parse(
      yaml('modules:', '  vehicle:', '    type: inproc', '    model: point_mass', '    signals:', '      - name: velocity.y', '      - name: force.x')
    )
    expect(moduleNamed(loaded, 'vehicle').signals.map((s) => s.name)).toEqual([
      'velocity.y',
      'force.x',
      'force.y',
      'position.x',
      'position.y',
      'velocity.x',
      'acceleration.x',
      'acceleration.y'
    ])
  })

  it("takes initial values from the model's options unless the YAML sets one", () => {
    const loaded = parse(
      yaml(
        'modules:',
        '  vehicle:',
        '    type: inproc',
        '    model: point_mass',
        '    options: { initial_position: [4, 5] }',
        '    signals:',
        '      - { name: position.y, initial: 9 }'
      )
    )
    const vehicle = moduleNamed(loaded, 'vehicle')
    expect(signalNamed(vehicle, 'position.x').initial).toBe(4)
    expect(signalNamed(vehicle, 'position.y').initial).toBe(9)
  })

  it('rejects a YAML signal that a fixed-signal model does not have', () => {
    expectOnlyError(yaml('modules:', '  vehicle:', '    type: inproc', '    model: point_mass', '    signals:', '      - name: thrust.x'), {
      line: 6,
      column: 15,
      path: 'modules.vehicle.signals[0].name',
      message: ["model 'point_mass' has no signal 'thrust.x'", 'it has: force.x, force.y, position.x']
    })
  })

  it('follows model options when checking signal names (3-D point mass has z)', () => {
    const loaded = parse(yaml('modules:', '  v:', '    type: inproc', '    model: point_mass', '    options: { dimensions: 3 }', '    signals:', '      - name: force.z'))
    expect(moduleNamed(loaded, 'v').signals.map((s) => s.name)).toContain('acceleration.z')
    expectOnlyError(yaml('modules:', '  v:', '    type: inproc', '    model: point_mass', '    signals:', '      - name: force.z'), {
      line: 6,
      column: 15,
      path: 'modules.v.signals[0].name',
      message: ["has no signal 'force.z'"]
    })
  })

  it('lets an injection module declare any signals, writable unless they say otherwise', () => {
    const loaded = parse(
      yaml(
        'modules:',
        '  d:',
        '    type: inproc',
        '    model: injection',
        '    signals:',
        '      - { name: thrust.x, unit: N }',
        '      - { name: mode, type: i32, writable: false, initial: 2 }'
      )
    )
    expect(moduleNamed(loaded, 'd').signals).toEqual([
      { name: 'thrust.x', qualified: 'd.thrust.x', type: 'f64', unit: 'N', writable: true, published: true, initial: 0, description: '' },
      { name: 'mode', qualified: 'd.mode', type: 'i32', unit: '', writable: false, published: true, initial: 2, description: '' }
    ])
  })

  it('makes script and process signals read-only unless they say otherwise', () => {
    const loaded = parse(yaml('modules:', '  s:', '    type: script', '    script: s.py', '    signals:', '      - name: a', '      - { name: b, writable: true }'))
    expect(moduleNamed(loaded, 's').signals.map((s) => [s.qualified, s.writable])).toEqual([
      ['s.a', false],
      ['s.b', true]
    ])
  })
})

describe('unknown keys', () => {
  it("warns about a misspelt 'model' next to the real one, and still loads", () => {
    const loaded = parse(yaml(...PID, '    modle: sum'))
    expect(moduleNamed(loaded, 'a').model).toBe('pid')
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', {
      line: 5,
      column: 5,
      path: 'modules.a.modle',
      message: ["unknown key 'modle' is ignored", "(did you mean 'model'?)"]
    })
  })

  it("warns about 'modle' on a script module, which loads", () => {
    const loaded = parse(yaml('modules:', '  s:', '    type: script', '    modle: pid', '    script: s.py'))
    expect(loaded.config.modules).toHaveLength(1)
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', { line: 4, column: 5, path: 'modules.s.modle', message: ["(did you mean 'model'?)"] })
  })

  it("keeps the 'modle' warning on the ConfigError when the missing model is an error", () => {
    const error = expectOnlyError(yaml('modules:', '  a:', '    type: inproc', '    modle: pid'), {
      line: 3,
      column: 5,
      path: 'modules.a',
      message: ["need a 'model'"]
    })
    expect(error.warnings).toHaveLength(1)
    expectIssue(error.warnings[0], 'warning', { line: 4, column: 5, path: 'modules.a.modle', message: ["(did you mean 'model'?)"] })
  })

  it("warns about 'rate_hx' and suggests 'rate_hz'", () => {
    const loaded = parse(yaml(...PID, 'execution:', '  rate_hx: 50'))
    expect(loaded.config.execution.rateHz).toBe(100)
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', {
      line: 6,
      column: 3,
      path: 'execution.rate_hx',
      message: ["unknown key 'rate_hx' is ignored", "(did you mean 'rate_hz'?)"]
    })
  })

  it("warns about an unknown key inside a model's options", () => {
    const loaded = parse(yaml(...PID, '    options:', '      kp: 2', '      kpp: 3'))
    expect(moduleNamed(loaded, 'a').options).toMatchObject({ kp: 2 })
    expect(moduleNamed(loaded, 'a').options).not.toHaveProperty('kpp')
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', {
      line: 7,
      column: 7,
      path: 'modules.a.options.kpp',
      message: ["unknown key 'kpp' is ignored", "(did you mean 'kp'?)"]
    })
  })

  it('warns about an unknown key in a signal and at the top level', () => {
    const loaded = parse(yaml('modules:', '  d:', '    type: inproc', '    model: injection', '    signals:', '      - { name: x, writeable: false }', 'wirring: []'))
    // The misspelt flag is ignored: injection signals stay writable.
    expect(signalNamed(moduleNamed(loaded, 'd'), 'x').writable).toBe(true)
    expect(loaded.warnings).toHaveLength(2)
    expectIssue(loaded.warnings.find((w) => w.path === 'wirring'), 'warning', { line: 7, column: 1, path: 'wirring', message: ["(did you mean 'wiring'?)"] })
    expectIssue(loaded.warnings.find((w) => w.path !== 'wirring'), 'warning', {
      line: 6,
      column: 20,
      path: 'modules.d.signals[0].writeable',
      message: ["(did you mean 'writable'?)"]
    })
  })

  it('warns without a suggestion when no known key is close', () => {
    const loaded = parse(yaml(...PID, 'server:', '  colour: blue'))
    expect(loaded.warnings).toHaveLength(1)
    expectIssue(loaded.warnings[0], 'warning', { line: 6, column: 3, path: 'server.colour', message: ["unknown key 'colour' is ignored"] })
    expect(loaded.warnings[0]?.message).not.toContain('did you mean')
  })

  it('still reports real errors next to unknown keys', () => {
    const error = expectOnlyError(yaml(...PID, 'execution:', '  rate_hx: 50', '  rate_hz: 0'), {
      line: 7,
      column: 12,
      path: 'execution.rate_hz',
      message: ['rate_hz must be positive']
    })
    expect(error.warnings.map((w) => w.path)).toEqual(['execution.rate_hx'])
  })
})

describe('defaults and time', () => {
  it('defaults execution and server when they are absent', () => {
    const { config, warnings } = parse(yaml(...PID))
    expect(warnings).toEqual([])
    expect(config.version).toBe('0.2')
    expect(config.file).toBe(join(process.cwd(), 'test.yaml'))
    expect(config.wires).toEqual([])
    expect(config.execution).toEqual({
      mode: 'afap',
      rateHz: 100,
      dtNs: 10_000_000,
      endTime: null,
      endTimeNs: null,
      startPaused: false,
      schedule: [{ module: 'a', substeps: 1 }],
      onModuleError: null
    })
    expect(config.server).toEqual({ enabled: false, host: '127.0.0.1', port: 8765, telemetryHz: 60, allowedOrigins: [], allowedHosts: [], maxClients: 64, keepaliveS: 10, pingTimeoutS: 30 })
  })

  it('fills the defaults of a model and resolves script paths to null for inproc modules', () => {
    const a = moduleNamed(parse(yaml(...PID)), 'a')
    expect(a).toMatchObject({ type: 'inproc', model: 'pid', script: null, executable: null, configFile: null })
    expect(a.options).toMatchObject({ kp: 1, ki: 0, kd: 0, output_min: null, output_max: null })
  })

  it('turns a numeric version into a string', () => {
    expect(parse(yaml('version: 0.2', ...PID)).config.version).toBe('0.2')
  })

  it.each([
    [600, 1_666_667],
    [60, 16_666_667],
    [333, 3_003_003],
    [100, 10_000_000],
    [1000, 1_000_000]
  ])('rounds the frame period of %d Hz to %d ns', (rate, dtNs) => {
    const { execution } = parse(yaml(...PID, 'execution:', `  rate_hz: ${rate}`)).config
    expect(execution.rateHz).toBe(rate)
    expect(execution.dtNs).toBe(dtNs)
  })

  it('converts end_time to integer nanoseconds', () => {
    const { execution } = parse(yaml(...PID, 'execution:', '  end_time: 0.015')).config
    expect(execution.endTime).toBe(0.015)
    expect(execution.endTimeNs).toBe(15_000_000)
  })

  it('reads the rest of execution and server', () => {
    const { execution, server } = parse(
      yaml(...PID, 'execution: { mode: single_frame, start_paused: true }', 'server: { enabled: true, host: 0.0.0.0, allowed_origins: [http://localhost:5173] }')
    ).config
    expect(execution).toMatchObject({ mode: 'single_frame', startPaused: true })
    expect(server).toMatchObject({ enabled: true, host: '0.0.0.0', allowedOrigins: ['http://localhost:5173'] })
  })
})

describe('overrides', () => {
  it('applies overrides over the file and the defaults', () => {
    const { config } = parse(yaml(...PID, 'execution:', '  mode: realtime', '  rate_hz: 50', 'server:', '  port: 8000'), {
      overrides: { execution: { mode: 'afap', end_time: 5 }, server: { port: 9000 } }
    })
    expect(config.execution).toMatchObject({ mode: 'afap', rateHz: 50, endTime: 5, endTimeNs: 5_000_000_000 })
    expect(config.server).toMatchObject({ port: 9000, host: '127.0.0.1', enabled: false })
  })

  it('applies overrides to sections the file leaves out', () => {
    const { config } = parse(yaml(...PID), { overrides: { execution: { mode: 'afap', end_time: 5 }, server: { port: 9000 } } })
    expect(config.execution).toMatchObject({ mode: 'afap', rateHz: 100, endTimeNs: 5_000_000_000 })
    expect(config.server.port).toBe(9000)
  })

  it('ignores undefined override values', () => {
    const { config } = parse(yaml(...PID, 'execution:', '  rate_hz: 50'), { overrides: { execution: { rate_hz: undefined, mode: undefined }, server: {} } })
    expect(config.execution.rateHz).toBe(50)
  })

  it('validates overrides: rate_hz 0 is an error not tied to a line of the file', () => {
    expectOnlyError(
      yaml(...PID, 'execution:', '  rate_hz: 100'),
      { line: 0, column: 0, path: 'execution.rate_hz', message: ['rate_hz must be positive', 'override'] },
      { overrides: { execution: { rate_hz: 0 } } }
    )
  })

  it('validates an override of a section the file leaves out', () => {
    expectOnlyError(
      yaml(...PID),
      { line: 0, column: 0, path: 'server.port', message: ['port must be between 0 and 65535', 'override'] },
      { overrides: { server: { port: 70000 } } }
    )
  })

  it('still reports errors in the file at their position when overrides are given', () => {
    expectOnlyError(
      yaml(...PID, 'execution:', '  rate_hz: 100', '  end_time: -3'),
      { line: 7, column: 13, path: 'execution.end_time', message: ['end_time must not be negative'] },
      { overrides: { execution: { rate_hz: 50 } } }
    )
  })

  it('does not let an override hide a section of the wrong type', () => {
    expectOnlyError(
      yaml(...PID, 'execution: fast'),
      { line: 5, column: 12, path: 'execution', message: ['expected a mapping', 'received string'] },
      { overrides: { execution: { mode: 'afap' } } }
    )
  })
})

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-config-test-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const write = (relative: string, text: string, mode = 0o644): string => {
    const file = join(dir, relative)
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, text)
    chmodSync(file, mode)
    return file
  }

  const CONFIG = yaml(
    'modules:', //                           1
    '  s:', //                               2
    '    type: script', //                   3
    '    script: scripts/model.py', //       4
    '    config: conf/s.json', //            5
    '  p:', //                               6
    '    type: process', //                  7
    '    executable: ./bin/plant', //        8
    '    config: ../shared/plant.toml', //   9
    '  q:', //                               10
    '    type: process', //                  11
    '    executable: /usr/bin/env' //       12
  )

  it('resolves relative script, executable and config paths against the config folder (checkFiles false)', () => {
    const file = write('a/sim.yaml', CONFIG)
    const { config, warnings } = loadConfigFile(file, { checkFiles: false })
    expect(warnings).toEqual([])
    expect(config.file).toBe(file)
    const [s, p, q] = config.modules
    expect(s).toMatchObject({ script: join(dir, 'a/scripts/model.py'), executable: null, configFile: join(dir, 'a/conf/s.json') })
    expect(p).toMatchObject({ script: null, executable: join(dir, 'a/bin/plant'), configFile: join(dir, 'shared/plant.toml') })
    expect(q?.executable).toBe('/usr/bin/env')
  })

  it('loads when the files exist and the executable can run (checkFiles true)', () => {
    const file = write('b/sim.yaml', CONFIG)
    write('b/scripts/model.py', 'print("hi")\n')
    write('b/bin/plant', '#!/bin/sh\n', 0o755)
    const { config } = loadConfigFile(file, { checkFiles: true })
    expect(config.modules.map((m) => m.script ?? m.executable)).toEqual([join(dir, 'b/scripts/model.py'), join(dir, 'b/bin/plant'), '/usr/bin/env'])
  })

  it('checks files by default', () => {
    const file = write('c/sim.yaml', CONFIG)
    const error = configError(() => loadConfigFile(file))
    expect(error.issues.map((i) => i.path)).toEqual(['modules.s.script', 'modules.p.executable'])
  })

  it('reports a missing script and a missing executable, naming the resolved paths', () => {
    const file = write('d/sim.yaml', CONFIG)
    const error = configError(() => loadConfigFile(file, { checkFiles: true }))
    expect(error.issues).toHaveLength(2)
    expectIssue(error.issues[0], 'error', { line: 4, column: 13, path: 'modules.s.script', message: [`script not found: ${join(dir, 'd/scripts/model.py')}`] }, file)
    expectIssue(
      error.issues[1],
      'error',
      { line: 8, column: 17, path: 'modules.p.executable', message: [`executable not found: ${join(dir, 'd/bin/plant')}`] },
      file
    )
  })

  it('reports an executable without execute permission', () => {
    const file = write('e/sim.yaml', CONFIG)
    write('e/scripts/model.py', '')
    write('e/bin/plant', '#!/bin/sh\n', 0o644)
    const error = configError(() => loadConfigFile(file, { checkFiles: true }))
    expect(error.issues).toHaveLength(1)
    expectIssue(
      error.issues[0],
      'error',
      { line: 8, column: 17, path: 'modules.p.executable', message: [`executable is not executable: ${join(dir, 'e/bin/plant')}`] },
      file
    )
  })

  it('reports a script path that is a folder', () => {
    const file = write('f/sim.yaml', CONFIG)
    mkdirSync(join(dir, 'f/scripts/model.py'), { recursive: true })
    write('f/bin/plant', '#!/bin/sh\n', 0o755)
    const error = configError(() => loadConfigFile(file, { checkFiles: true }))
    expect(error.issues).toHaveLength(1)
    expectIssue(error.issues[0], 'error', { line: 4, column: 13, path: 'modules.s.script', message: [`script is not a file: ${join(dir, 'f/scripts/model.py')}`] }, file)
  })

  it('reports a missing configuration file without a line', () => {
    const file = join(dir, 'missing.yaml')
    const error = configError(() => loadConfigFile(file))
    expect(error.issues).toEqual([{ severity: 'error', file, line: 0, column: 0, path: '', message: 'file not found' }])
    expect(error.message).toBe(`${file}: file not found`)
  })

  it('reports a folder given as the configuration file', () => {
    const error = configError(() => loadConfigFile(dir))
    expect(error.issues).toEqual([{ severity: 'error', file: dir, line: 0, column: 0, path: '', message: 'is a directory, expected a YAML file' }])
  })

  it('names the file in errors from its content', () => {
    const file = write('g/bad.yaml', yaml(...PID, 'server:', '  port: 70000'))
    const error = configError(() => loadConfigFile(file))
    expect(error.issues).toHaveLength(1)
    expectIssue(error.issues[0], 'error', { line: 6, column: 9, path: 'server.port', message: ['between 0 and 65535'] }, file)
    expect(error.message.startsWith(`${file}:6:9: server.port: `)).toBe(true)
  })
})

describe('shipped examples', () => {
  const example = (name: string): string => fileURLToPath(new URL(`../../../../resources/examples/${name}`, import.meta.url))

  it('loads demo.yaml with no errors and no warnings', () => {
    const { config, warnings } = loadConfigFile(example('demo.yaml'))
    expect(warnings).toEqual([])
    expect(config.modules.map((m) => m.name)).toEqual(['target', 'target_y', 'disturbance', 'pid_x', 'pid_y', 'thrust_x', 'thrust_y', 'vehicle'])
    expect(config.wires).toHaveLength(10)
    expect(config.execution).toMatchObject({ mode: 'realtime', rateHz: 100, dtNs: 10_000_000 })
    expect(config.execution.schedule.at(-1)).toEqual({ module: 'vehicle', substeps: 5 })
    expect(config.server).toMatchObject({ enabled: true, port: 8765, telemetryHz: 60 })
  })

  it('loads hermes_vehicle.yaml with no errors and no warnings', () => {
    const { config, warnings } = loadConfigFile(example('hermes_vehicle.yaml'))
    expect(warnings).toEqual([])
    const vehicle = config.modules[0]
    expect(vehicle?.name).toBe('vehicle')
    expect(vehicle?.signals.filter((s) => s.published).map((s) => s.name)).toEqual(['position.x', 'position.y', 'velocity.x', 'velocity.y'])
    expect(vehicle?.signals.find((s) => s.name === 'velocity.x')?.initial).toBe(1)
    expect(config.execution).toMatchObject({ mode: 'realtime', rateHz: 100, dtNs: 10_000_000 })
  })
})
