// --set PATH=VALUE: paths, YAML values, and errors that name the path (and the line for the file's own values).
import { describe, expect, it } from 'vitest'
import { parseConfig, parseYamlText, type ParseOptions } from './load'
import { parseSet, parseSetPath, SetError } from './override'
import { configError } from './testing'

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`

const FILE = yaml(
  'modules:',
  '  src:',
  '    type: inproc',
  '    model: signal_generator',
  '    options: { waveform: sine, amplitude: 2 }',
  '  pid:',
  '    type: inproc',
  '    model: pid',
  '    options:',
  '      kp: 1',
  '      ki: 0',
  '  io:',
  '    type: inproc',
  '    model: injection',
  '    signals: [{ name: a }]',
  'wiring:',
  '  - { src: src.out, dst: pid.setpoint }',
  '  - { src: io.a, dst: pid.measurement, gain: 2 }',
  'execution:',
  '  rate_hz: 100'
)

const sets = (...texts: string[]): ParseOptions => ({ checkFiles: false, sets: texts.map(parseSet) })
const load = (...texts: string[]) => parseConfig(FILE, 'test.yaml', sets(...texts)).config
const fail = (...texts: string[]) => configError(() => parseConfig(FILE, 'test.yaml', sets(...texts)))

describe('--set paths', () => {
  it('reads keys, list indices and quoted keys', () => {
    expect(parseSetPath('modules.pid_x.options.kp')).toEqual(['modules', 'pid_x', 'options', 'kp'])
    expect(parseSetPath('wiring[3].gain')).toEqual(['wiring', 3, 'gain'])
    expect(parseSetPath('a[0][1]')).toEqual(['a', 0, 1])
    expect(parseSetPath('modules["odd.name"].type')).toEqual(['modules', 'odd.name', 'type'])
    expect(parseSetPath("modules['x=y']")).toEqual(['modules', 'x=y'])
  })

  it('refuses what is not a path, saying where', () => {
    for (const [text, why] of [
      ['', 'empty'],
      ['a..b', 'empty key'],
      ['a.', 'ends with a dot'],
      ['a[x]', 'list index'],
      ['a[1', "'[' is not closed"],
      ['a[1]b', "expected '.' or '['"],
      ['a["b]', 'not closed'],
      ['modules.__proto__.x', '__proto__']
    ] as const) {
      expect(() => parseSetPath(text), text).toThrow(SetError)
      expect(() => parseSetPath(text), text).toThrow(why)
    }
  })

  it('reads the value as YAML, after the first = outside a quoted key', () => {
    expect(parseSet('a.b=10').value).toBe(10)
    expect(parseSet('a.b=0.5').value).toBe(0.5)
    expect(parseSet('a.b=true').value).toBe(true)
    expect(parseSet('a.b=sine').value).toBe('sine')
    expect(parseSet("a.b='10'").value).toBe('10')
    expect(parseSet('a.b=').value).toBe(null)
    expect(parseSet('a.b=x=y').value).toBe('x=y')
    expect(parseSet('a.b=[1, 2]').value).toEqual([1, 2])
    expect(parseSet('a.b={kp: 1}').value).toEqual({ kp: 1 })
    expect(parseSet('a["k=v"]=3')).toMatchObject({ path: ['a', 'k=v'], value: 3 })
    expect(() => parseSet('a.b')).toThrow('expected PATH=VALUE')
    expect(() => parseSet('a.b=[1,')).toThrow('the value of a.b is not valid YAML')
  })
})

describe('--set on a configuration', () => {
  it('changes nested keys and list entries before validation', () => {
    const config = load('modules.pid.options.kp=10', 'wiring[1].gain=0.5', 'modules.src.options.waveform=square', 'execution.rate_hz=50')
    expect(config.modules.find((m) => m.name === 'pid')?.options).toMatchObject({ kp: 10, ki: 0 })
    expect(config.modules.find((m) => m.name === 'src')?.options).toMatchObject({ waveform: 'square', amplitude: 2 })
    expect(config.wires[1]).toMatchObject({ src: 'io.a', gain: 0.5 })
    expect(config.wires[0]!.gain).toBe(1)
    expect(config.execution.rateHz).toBe(50)
  })

  it('adds a key that the schema knows and the file leaves out', () => {
    expect(load('modules.pid.options.kd=3').modules.find((m) => m.name === 'pid')?.options).toMatchObject({ kd: 3 })
    expect(load('wiring[0].offset=1').wires[0]!.offset).toBe(1)
  })

  it('applies in order: the last one wins', () => {
    expect(load('modules.pid.options.kp=10', 'modules.pid.options.kp=20').modules.find((m) => m.name === 'pid')?.options.kp).toBe(20)
  })

  it('refuses a path that does not exist, naming the part that is missing', () => {
    const e = fail('modules.pdi.options.kp=1')
    expect(e.issues).toHaveLength(1)
    expect(e.issues[0]).toMatchObject({ line: 0, column: 0, path: 'modules.pdi.options.kp' })
    expect(e.issues[0]!.message).toContain("modules has no key 'pdi' (did you mean 'pid'?)")
    expect(e.issues[0]!.message).toContain('--set modules.pdi.options.kp=1')

    expect(fail('wiring[5].gain=1').issues[0]!.message).toContain('wiring has 2 entries ([0] to [1]), so there is no [5]')
    expect(fail('modules.io.options.x.y=1').issues[0]!.message).toContain("modules.io has no key 'options'")
    expect(fail('modules.pid.options.kp.x=1').issues[0]!.message).toContain('modules.pid.options.kp is a number (1), so it has no key')
    expect(fail('wiring.gain=1').issues[0]!.message).toContain("wiring is a list, not a mapping, so it has no key 'gain'")
    expect(fail('execution[0]=1').issues[0]!.message).toContain('execution is a mapping, not a list')
  })

  it('refuses an unknown last key as an error (a warning for the file), with a suggestion', () => {
    const e = fail('modules.pid.options.kpp=1')
    expect(e.issues[0]).toMatchObject({ line: 0, path: 'modules.pid.options.kpp' })
    expect(e.issues[0]!.message).toContain("unknown key 'kpp' (did you mean 'kp'?)")
  })

  it('names the path of a bad value it set, and keeps line and column for the file’s own errors', () => {
    const bad = yaml(...FILE.trimEnd().split('\n').slice(0, -1), '  rate_hz: -5')
    const e = configError(() => parseConfig(bad, 'test.yaml', sets('modules.pid.options.kp=fast', 'wiring[0].gain=x')))
    const byPath = new Map(e.issues.map((i) => [i.path, i]))
    expect(byPath.get('execution.rate_hz')).toMatchObject({ line: 20, column: 12 })
    expect(byPath.get('wiring[0].gain')).toMatchObject({ line: 0, column: 0 })
    expect(byPath.get('wiring[0].gain')!.message).toContain('set by an override, not in the file')
    // Module options are checked after the schema: with the schema errors fixed, kp is named.
    const kp = fail('modules.pid.options.kp=fast').issues[0]!
    expect(kp).toMatchObject({ line: 0, path: 'modules.pid.options.kp' })
    expect(kp.message).toContain('expected number')
  })

  it('checks what a set brings in as the file is checked (names, __proto__)', () => {
    expect(fail('modules.pid={type: inproc, model: nope}').issues[0]!.message).toContain("unknown model 'nope'")
    expect(fail('modules.pid.options={__proto__: 1}').issues[0]!.message).toContain('__proto__')
  })

  it('changes a value shared through a YAML alias in one place only', () => {
    const text = yaml('modules:', '  a: &m { type: inproc, model: pid, options: { kp: 1 } }', '  b: *m')
    const { config } = parseConfig(text, 'test.yaml', sets('modules.a.options.kp=5'))
    expect(config.modules.map((m) => m.options.kp)).toEqual([5, 1])
  })

  it('loads the same from text parsed once (what a sweep does), each load with its own sets', () => {
    const { data, positions } = parseYamlText(FILE, 'test.yaml')
    const before = JSON.stringify(data)
    const parsed = { data, positions }
    const a = parseConfig(FILE, 'test.yaml', { ...sets('modules.pid.options.kp=3'), parsed }).config
    const b = parseConfig(FILE, 'test.yaml', { ...sets('modules.pid.options.kp=4'), parsed }).config
    expect([a, b].map((c) => c.modules.find((m) => m.name === 'pid')?.options.kp)).toEqual([3, 4])
    expect(JSON.stringify(data)).toBe(before)
    const bad = FILE.replace('rate_hz: 100', 'rate_hz: -5')
    const fresh = configError(() => parseConfig(bad, 'test.yaml', sets('wiring[0].gain=x')))
    const reused = parseYamlText(bad, 'test.yaml')
    const again = configError(() => parseConfig(bad, 'test.yaml', { ...sets('wiring[0].gain=x'), parsed: reused }))
    expect(again.issues).toEqual(fresh.issues)
    expect(again.issues.find((i) => i.path === 'execution.rate_hz')).toMatchObject({ line: 20, column: 12 })
  })
})
