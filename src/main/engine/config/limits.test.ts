// Configuration loading at scale and at its limits: linear work, files refused before reading, bounded
// rates and names, positions for every error, escaped user text. See docs/configuration.md, "Limits".
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI, hermes, ROOT } from '../../cli/testing'
import { EXAMPLES } from '../modules/testing'
import { ConfigError } from './issues'
import { MAX_CONFIG_BYTES, MAX_NAME_CHARS, MAX_REPORTED_ISSUES, MAX_SUBSTEPS } from './limits'
import { loadConfigFile, parseConfig, readConfigTextAsync, type LoadedConfig } from './load'
import { configError, countScannedElements, manyModules, manySignals } from './testing'

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`
const parse = (text: string): LoadedConfig => parseConfig(text, 'test.yaml', { checkFiles: false })

const INJECTION = ['modules:', '  a:', '    type: inproc', '    model: injection', '    signals: [{ name: x }]']

describe('loading scales linearly', () => {
  // The work counted is every element that array scans (some, find, includes, map...) go over, in the
  // loader and in the YAML and schema libraries: a scan inside a loop shows as 100x work for 10x data.
  it('a config of 100k signals costs about 10 times the work of 10k', { timeout: 180_000 }, () => {
    let small: LoadedConfig | null = null
    let large: LoadedConfig | null = null
    const smallWork = countScannedElements(() => (small = parse(manySignals(10_000))))
    const largeWork = countScannedElements(() => (large = parse(manySignals(100_000))))
    expect(small!.config.modules[0]!.signals).toHaveLength(10_000)
    expect(large!.config.modules[0]!.signals).toHaveLength(100_000)
    expect(largeWork / smallWork).toBeGreaterThan(5)
    expect(largeWork / smallWork).toBeLessThan(15)
  })

  it('so does one of 10k modules with a wire into each and a schedule listing them all, against 1k', { timeout: 180_000 }, () => {
    let large: LoadedConfig | null = null
    const smallWork = countScannedElements(() => parse(manyModules(1_000)))
    const largeWork = countScannedElements(() => (large = parse(manyModules(10_000))))
    expect(large!.config.modules).toHaveLength(10_000)
    expect(large!.config.wires).toHaveLength(9_999)
    expect(large!.config.execution.schedule[0]).toEqual({ module: 'm9999', substeps: 1 })
    expect(largeWork / smallWork).toBeLessThan(15)
  })

  it('a file of 100k bad signals lists the first errors and counts the rest, each at its line', { timeout: 120_000 }, () => {
    // Every signal is a duplicate of the first, and has an unknown key: 100k errors and 100k warnings.
    const lines = ['modules:', '  a:', '    type: inproc', '    model: injection', '    signals:']
    for (let i = 0; i < 100_000; i++) lines.push('      - { name: s, colour: red }')
    let error: ConfigError | null = null
    const work = countScannedElements(() => (error = configError(() => parse(yaml(...lines)))))
    const { issues, warnings } = error!
    expect(issues).toHaveLength(MAX_REPORTED_ISSUES + 1)
    expect(issues[0]).toMatchObject({ line: 7, column: 17, path: 'modules.a.signals[1].name', message: "duplicate signal 's' (also at signals[0])" })
    expect(issues.at(-1)!.message).toBe(`${99_999 - MAX_REPORTED_ISSUES} more errors not listed (only the first ${MAX_REPORTED_ISSUES} are)`)
    expect(warnings).toHaveLength(MAX_REPORTED_ISSUES + 1)
    expect(warnings[0]).toMatchObject({ line: 6, path: 'modules.a.signals[0].colour' })
    // Linear: a few dozen element visits per signal, not one per pair of signals.
    expect(work).toBeLessThan(200 * 100_000)
  })
})

describe('files that are not configurations are refused before reading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-limits-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const fifo = join(dir, 'pipe.yaml')
  spawnSync('mkfifo', [fifo])

  it('refuses /dev/zero as a character device', async () => {
    const message = 'is a character device, expected a regular YAML file'
    expect(configError(() => loadConfigFile('/dev/zero')).issues).toEqual([{ severity: 'error', file: '/dev/zero', line: 0, column: 0, path: '', message }])
    await expect(readConfigTextAsync('/dev/zero')).rejects.toMatchObject({ issues: [{ message }] })
  })

  it('refuses a FIFO without opening it (opening would wait for a writer)', async () => {
    const message = 'is a named pipe (FIFO), expected a regular YAML file'
    await expect(readConfigTextAsync(fifo)).rejects.toMatchObject({ issues: [{ file: fifo, line: 0, message }] })
    expect(configError(() => loadConfigFile(fifo)).issues[0]?.message).toBe(message)
  })

  it(`refuses a file larger than ${MAX_CONFIG_BYTES} bytes without reading it`, async () => {
    const big = join(dir, 'big.yaml')
    writeFileSync(big, yaml(...INJECTION))
    // Sparse: 16 MiB + 1 byte on paper, nothing on disk, and nothing read.
    truncateSync(big, MAX_CONFIG_BYTES + 1)
    const message = `is ${MAX_CONFIG_BYTES + 1} bytes; a configuration file may be at most ${MAX_CONFIG_BYTES} bytes (16 MiB)`
    expect(configError(() => loadConfigFile(big)).issues[0]?.message).toBe(message)
    await expect(readConfigTextAsync(big)).rejects.toMatchObject({ issues: [{ message }] })
  })

  it('reads a file of exactly the limit', { timeout: 60_000 }, async () => {
    const edge = join(dir, 'edge.yaml')
    const text = yaml(...INJECTION)
    writeFileSync(edge, text + '#'.repeat(MAX_CONFIG_BYTES - Buffer.byteLength(text)))
    expect(await readConfigTextAsync(edge)).toBe(await readFile(edge, 'utf8'))
  })

  it('hermes validate refuses /dev/zero and a FIFO at once, exit 1, naming the file', () => {
    for (const [file, kind] of [
      ['/dev/zero', 'a character device'],
      [fifo, 'a named pipe (FIFO)']
    ] as const) {
      const r = hermes('validate', file)
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(`${file}: is ${kind}, expected a regular YAML file`)
    }
  })
})

describe('hermes list-signals into a pipe that closes early', () => {
  it('stops quietly: no EPIPE, no stack trace', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-epipe-'))
    try {
      const file = join(dir, 'many.yaml')
      // About 300 kB of table: far more than a pipe holds, so the writer meets the closed pipe.
      writeFileSync(file, manySignals(5000))
      for (const json of ['', ' --json']) {
        const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" list-signals${json} "${file}" | head -n 2`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
        expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2)
        expect(r.stderr).not.toMatch(/EPIPE|Error|at /)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('rates the scheduler can honour', () => {
  const run = (...lines: string[]) => parse(yaml(...INJECTION, 'execution:', ...lines))
  const fails = (...lines: string[]) => configError(() => run(...lines)).issues

  it('refuses execution.rate_hz 1e-300 (a frame period past the end of exact time), at its position', () => {
    expect(fails('  rate_hz: 1e-300')).toEqual([
      expect.objectContaining({ line: 7, column: 12, path: 'execution.rate_hz', message: expect.stringContaining('rate_hz is too low: at least 0.001 Hz') })
    ])
  })

  it('accepts the slowest and fastest frame rates: 0.001 Hz (1000 s) and 1e9 Hz (1 ns)', () => {
    expect(run('  rate_hz: 0.001').config.execution.dtNs).toBe(1e12)
    expect(run('  rate_hz: 1e9').config.execution.dtNs).toBe(1)
    expect(fails('  rate_hz: 1.5e9')[0]?.message).toContain('rate_hz is too high: at most 1000000000 Hz')
  })

  it('refuses a schedule rate_hz of 1e12 (a sub-step under 1 ns), at its position', () => {
    expect(fails('  schedule:', '    - { name: a, rate_hz: 1e12 }')).toEqual([
      expect.objectContaining({ line: 8, column: 27, path: 'execution.schedule[0].rate_hz', message: expect.stringContaining('too high') })
    ])
  })

  it(`refuses more than ${MAX_SUBSTEPS} sub-steps per frame, and accepts exactly that many`, () => {
    const issues = fails('  rate_hz: 100', '  schedule:', '    - { name: a, rate_hz: 1000100 }')
    expect(issues).toEqual([expect.objectContaining({ line: 9, column: 27, path: 'execution.schedule[0].rate_hz', message: expect.stringContaining(`is 10001 steps per frame`) })])
    expect(run('  rate_hz: 100', '  schedule:', '    - { name: a, rate_hz: 1000000 }').config.execution.schedule).toEqual([{ module: 'a', substeps: MAX_SUBSTEPS }])
  })

  it('refuses an end_time past exact time (about 104 days)', () => {
    expect(fails('  end_time: 1e10')[0]).toMatchObject({ path: 'execution.end_time', message: expect.stringContaining('at most 9007199 s') })
  })

  it('rounds a frame period at a tie half to even: rate_hz 4e8 gives dt_ns 2 (2.5 ns), 4e9/6 gives 2 (1.5 ns)', () => {
    expect(run('  rate_hz: 4e8').config.execution.dtNs).toBe(2)
    // 1e9 / 666666666.6666666 is 1.5000000000000002 in floating point, past the tie: 2 either way.
    expect(run('  rate_hz: 666666666.6666666').config.execution.dtNs).toBe(2)
    expect(run('  rate_hz: 2e8').config.execution.dtNs).toBe(5)
  })
})

describe('names', () => {
  it.each([
    ["''", 2, 3],
    ["'   '", 2, 3]
  ])('refuses a module named %s, at its key', (key, line, column) => {
    const issues = configError(() => parse(yaml('modules:', `  ${key}:`, '    type: inproc', '    model: injection'))).issues
    expect(issues).toEqual([expect.objectContaining({ line, column, message: expect.stringContaining('must be non-empty') })])
  })

  it('refuses a module named __proto__ instead of dropping it silently', () => {
    const issues = configError(() => parse(yaml('modules:', '  b:', '    type: inproc', '    model: injection', '  __proto__:', '    type: inproc', '    model: injection'))).issues
    expect(issues).toEqual([expect.objectContaining({ line: 5, column: 3, path: 'modules.__proto__', message: expect.stringContaining("'__proto__' cannot be a name") })])
  })

  it('refuses __proto__ as any key, such as in model options', () => {
    const issues = configError(() => parse(yaml('modules:', '  p:', '    type: inproc', '    model: pid', '    options:', '      __proto__: { kp: 5 }'))).issues
    expect(issues[0]).toMatchObject({ line: 6, column: 7, path: 'modules.p.options.__proto__' })
  })

  it('accepts other names that are Object.prototype keys', () => {
    const loaded = parse(yaml('modules:', '  constructor:', '    type: inproc', '    model: injection', '    signals: [{ name: toString }, { name: hasOwnProperty }]'))
    expect(loaded.config.modules[0]!.signals.map((s) => s.qualified)).toEqual(['constructor.toString', 'constructor.hasOwnProperty'])
  })

  it(`refuses module and signal names longer than ${MAX_NAME_CHARS} characters`, () => {
    const long = 'n'.repeat(MAX_NAME_CHARS + 1)
    const issues = configError(() => parse(yaml('modules:', `  ${long}:`, '    type: inproc', '    model: injection', '  b:', '    type: inproc', '    model: injection', `    signals: [{ name: ${long} }]`))).issues
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [2, `module name is ${MAX_NAME_CHARS + 1} characters long; at most ${MAX_NAME_CHARS} are allowed`],
      [8, `a signal name may be at most ${MAX_NAME_CHARS} characters long`]
    ])
    expect(parse(yaml('modules:', `  ${'n'.repeat(MAX_NAME_CHARS)}:`, '    type: inproc', '    model: injection')).config.modules).toHaveLength(1)
  })

  it('refuses blank signal names and control characters in names', () => {
    const issues = configError(() => parse(yaml(...INJECTION.slice(0, 4), '    signals: [{ name: "  " }, { name: "a\\u001b[31mb" }]', '  "m\\u0007":', '    type: inproc', '    model: injection'))).issues
    expect(issues.map((i) => i.message)).toEqual([
      "module name 'm\\u0007' contains a control character",
      'expected a signal name that is not blank',
      'a signal name must not contain control characters'
    ])
  })
})

describe('user text in messages', () => {
  it('escapes control characters and bounds the length of what the file said', () => {
    const evil = `\\u001b]0;pwned\\u0007\\r\\nfake.yaml:1:1: error ${'x'.repeat(5000)}`
    const issues = configError(() => parse(yaml('modules:', '  a:', '    type: inproc', `    model: "${evil}"`))).issues
    expect(issues).toHaveLength(1)
    const message = issues[0]!.message
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\u0000-\u001f]/)
    expect(message).toContain('\\u001b]0;pwned\\u0007\\r\\nfake.yaml')
    expect(message.length).toBeLessThan(1100)
    expect(configError(() => parse(yaml('modules:', '  a:', '    type: inproc', `    model: "${evil}"`))).message.split('\n')).toHaveLength(1)
  })
})

describe('YAML errors all have a position', () => {
  it("gives an unresolved alias its line and column ('Unresolved alias' had none, and was no ConfigError)", () => {
    const issues = configError(() => parse(yaml('modules:', '  a:', '    type: inproc', '    model: *pid'))).issues
    expect(issues).toEqual([expect.objectContaining({ line: 4, column: 12, message: "invalid YAML: unresolved alias '*pid': no anchor '&pid' is set before it" })])
  })

  it('points at an alias used before its anchor', () => {
    const issues = configError(() => parse(yaml('modules:', '  a: *m', '  b: &m', '    type: inproc', '    model: injection'))).issues
    expect(issues).toEqual([expect.objectContaining({ line: 2, column: 6, message: expect.stringContaining("unresolved alias '*m'") })])
  })

  it('resolves a good alias', () => {
    const loaded = parse(yaml('modules:', '  a: &m', '    type: inproc', '    model: injection', '  b: *m'))
    expect(loaded.config.modules.map((m) => m.name)).toEqual(['a', 'b'])
  })

  it('reports a duplicate key at the second one, also in a mapping of 20k keys', { timeout: 60_000 }, () => {
    const text = manyModules(20_000).replace('  m19999:', '  m5:')
    const issues = configError(() => parse(text)).issues
    expect(issues).toEqual([expect.objectContaining({ line: 20_001, column: 3, message: 'invalid YAML: Map keys must be unique' })])
  })

  it('loads or fails with a ConfigError whose every issue has a line, for 600 mutations of the examples', async () => {
    const names = ['demo.yaml', 'hermes_vehicle.yaml', 'multi_module.yaml', 'seed000_websocket_telemetry.yaml', 'c_vehicle.yaml', 'script_vehicle.yaml']
    const texts = await Promise.all(names.map((n) => readFile(join(EXAMPLES, n), 'utf8')))
    const INSERTS = ['*', '&', '!', '!!', ':', '- ', '{', '}', '[', ']', '"', "'", '|', '>', '%', '@', '`', '\t', '#', '? ', '*a', '&a ', '<<: *a', '\u0000', '\u00a0', '---\n', '...\n']
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    let failed = 0
    for (let k = 0; k < 600; k++) {
      const text = texts[k % texts.length]!
      const at = random(text.length)
      const kind = random(3)
      const mutated =
        kind === 0 ? text.slice(0, at) + text.slice(at + 1 + random(4)) : kind === 1 ? text.slice(0, at) + INSERTS[random(INSERTS.length)]! + text.slice(at) : text.slice(0, at) + text.slice(at).split('\n').slice(1).join('\n')
      try {
        parseConfig(mutated, join(EXAMPLES, names[k % names.length]!), { checkFiles: false })
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`mutation ${k} threw ${String(error)}:\n${mutated}`)
        failed++
        for (const issue of error.issues) expect(issue.line, `mutation ${k}: ${issue.message}\n${mutated}`).toBeGreaterThan(0)
      }
    }
    expect(failed).toBeGreaterThan(100)
  })
})
