// `hermes sweep` as a user runs it: the same table with 1 and 2 workers, a sweep killed with SIGKILL and
// started again, a faulting run recorded as failed, and run-one exactly as a Kubernetes Indexed Job runs it.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { parquetReadObjects } from 'hyparquet'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { loadSweepFile } from '../sweep/sweepFile'
import { slurmScript } from '../sweep/slurm'
import { CLI, hermes, killRuns, ROOT } from './testing'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const temp = (): string => mkdtempSync(join(tmpdir(), 'hermes-sweep-'))

afterEach(killRuns)

/** A sweep of the demo: a grid of two gains, three draws of the mass and of kd each (6 runs), 2 s of simulated time. */
function demoSweep(dir: string, extra: string[] = []): string {
  const file = join(dir, 'study.yaml')
  writeFileSync(
    file,
    [
      `config: ${DEMO}`,
      'run: { end_time: 2 }',
      'seed: 42',
      'samples: 3',
      'parameters:',
      '  modules.pid_x.options.kp: { grid: [6, 12] }',
      '  modules.vehicle.options.mass: { uniform: { min: 1.5, max: 2.5 } }',
      '  modules.pid_x.options.kd: { normal: { mean: 7, std: 1 } }',
      'metrics:',
      '  peak: max_abs(vehicle.position.x)',
      '  mean_out: mean(pid_x.output)',
      '  rms_y: rms(vehicle.position.y)',
      '  t_1m: crossing(vehicle.position.x, 1)',
      '  end: final(vehicle.velocity.x)',
      '  faults: faults()',
      ...extra
    ].join('\n')
  )
  return file
}

/** The CSV without its wall_s column (the one column that differs between two runs of the same sweep). */
const withoutWall = (csv: string): string => csv.replace(/,wall_s\r\n/, '\r\n').replace(/,[-0-9.e+]+\r\n/g, '\r\n')

const indicesOf = (csv: string): number[] =>
  csv
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]))

async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file)
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })
}

describe('hermes sweep on this machine', () => {
  it('gives the same table, byte for byte but for wall time, with 1 and with 2 workers', async () => {
    const dir = temp()
    const file = demoSweep(dir)
    const one = hermes('sweep', file, '--jobs', '1', '--out', join(dir, 'one'))
    expect(one.status, one.stderr).toBe(0)
    expect(one.stderr).toContain('6 to run on 1 workers')
    expect(one.stderr).toMatch(/6\/6 runs {2}[\d.]+ runs\/s {2}ETA 0s/)
    const two = hermes('sweep', file, '--jobs', '2', '--out', join(dir, 'two'))
    expect(two.status, two.stderr).toBe(0)
    expect(two.stderr).toContain('6 to run on 2 workers')

    const a = readFileSync(join(dir, 'one', 'results.csv'), 'utf8')
    const b = readFileSync(join(dir, 'two', 'results.csv'), 'utf8')
    expect(indicesOf(a)).toEqual([0, 1, 2, 3, 4, 5])
    expect(a.split('\r\n')[0]).toBe('index,modules.pid_x.options.kp,modules.vehicle.options.mass,modules.pid_x.options.kd,peak,mean_out,rms_y,t_1m,end,faults,status,error,wall_s')
    expect(withoutWall(b)).toBe(withoutWall(a))
    // Every run ran and differs from the others: the comparison compares something.
    expect(new Set(withoutWall(a).split('\r\n').slice(1, 7).map((l) => l.split(',').slice(4).join(','))).size).toBe(6)
    expect(a).not.toContain(',failed,')

    const pa = await parquetRows(join(dir, 'one', 'results.parquet'))
    const pb = await parquetRows(join(dir, 'two', 'results.parquet'))
    expect(pa).toHaveLength(6)
    const drop = (rows: Record<string, unknown>[]) => rows.map(({ wall_s: _wall, ...rest }) => rest)
    expect(drop(pb)).toEqual(drop(pa))
    // The Parquet table holds the same numbers as the CSV.
    const firstCsv = a.split('\r\n')[1]!.split(',')
    expect(pa[0]).toMatchObject({ index: 0, 'modules.pid_x.options.kp': 6, peak: Number(firstCsv[4]), status: 'ok', error: '' })
  }, 240_000)

  it('killed with SIGKILL half-way and started again, finishes with every index exactly once, and repeats no finished run', async () => {
    const dir = temp()
    const file = join(dir, 'long.yaml')
    writeFileSync(
      file,
      // Runs long enough (40 s simulated each) that nine more cannot finish between two looks at the folder.
      [`config: ${DEMO}`, 'run: { end_time: 40 }', 'seed: 1', 'samples: 12', 'parameters:', '  modules.vehicle.options.mass: { uniform: { min: 1, max: 3 } }', 'metrics:', '  peak: max_abs(vehicle.position.x)'].join('\n')
    )
    const out = join(dir, 'results')
    const rows = join(out, 'rows')
    const child = spawn(process.execPath, [CLI, 'sweep', file, '--jobs', '1', '--out', out], { cwd: ROOT, env: { ...process.env, HERMES_LOG: 'warn' }, stdio: 'ignore' })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    const count = (): number => (existsSync(rows) ? readdirSync(rows).filter((n) => n.endsWith('.json')).length : 0)
    const deadline = Date.now() + 150_000
    while (count() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    await exited
    // Its worker leaves with it (the IPC channel closes); give it a moment to be gone.
    await new Promise((r) => setTimeout(r, 1500))
    const before = new Map(readdirSync(rows).map((n) => [n, readFileSync(join(rows, n), 'utf8')]))
    expect(before.size).toBeGreaterThanOrEqual(3)
    expect(before.size).toBeLessThan(12)

    const again = hermes('sweep', file, '--jobs', '2', '--out', out)
    expect(again.status, again.stderr).toBe(0)
    expect(again.stderr).toContain(`12 runs, ${before.size} already done, ${12 - before.size} to run`)
    const csv = readFileSync(join(out, 'results.csv'), 'utf8')
    expect(indicesOf(csv)).toEqual(Array.from({ length: 12 }, (_, i) => i))
    // A row written before the kill is the same file after the restart: its run did not run again.
    for (const [name, text] of before) expect(readFileSync(join(rows, name), 'utf8')).toBe(text)
    expect(readdirSync(rows).filter((n) => n.endsWith('.json'))).toHaveLength(12)
    const done = hermes('sweep', file, '--out', out)
    expect(done.stderr).toContain('12 already done, 0 to run')
  }, 300_000)

  it('records a faulting run and a run whose configuration is invalid as failed, and goes on', () => {
    const dir = temp()
    writeFileSync(
      join(dir, 'bomb.js'),
      `module.exports = { signals: [{ name: 'out' }], step(t, ctx) { if (t.time >= ctx.options.fail_at) throw new Error('boom at ' + t.time.toFixed(2)); } }\n`
    )
    writeFileSync(
      join(dir, 'base.yaml'),
      ['modules:', '  bomb:', '    type: script', '    script: bomb.js', '    options: { fail_at: 100 }', 'execution: { rate_hz: 100 }'].join('\n')
    )
    const file = join(dir, 'faults.yaml')
    writeFileSync(
      file,
      ['config: base.yaml', 'run: { end_time: 1 }', 'parameters:', '  modules.bomb.options.fail_at: { list: [100, 0.5, 100] }', '  execution.rate_hz: { list: [100, 100, -5] }', 'metrics:', '  out: final(bomb.out)', '  n: faults()'].join('\n')
    )
    const r = hermes('sweep', file, '--jobs', '2')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('failed: 1-2')
    const lines = readFileSync(join(dir, 'faults.results', 'results.csv'), 'utf8').trim().split('\r\n')
    expect(lines[1]).toMatch(/^0,100,100,0,0,ok,,/)
    expect(lines[2]).toMatch(/^1,0\.5,100,0,1,failed,module 'bomb' failed at frame 50: .*boom at 0\.50/)
    expect(lines[3]).toMatch(/^2,100,-5,,,failed,.*execution\.rate_hz: rate_hz must be positive \(set by an override, not in the file\)/)
    const collect = hermes('sweep', 'collect', file)
    expect(collect.status).toBe(0)
    expect(collect.stdout).toContain('3 of 3 runs')
    expect(collect.stdout).toContain('failed: 1-2')
  }, 240_000)

  it('refuses a results folder of another sweep, and a sweep file with errors, before running anything', () => {
    const dir = temp()
    const file = demoSweep(dir)
    const out = join(dir, 'shared')
    expect(hermes('sweep', 'run-one', file, '--index', '0', '--out', out).status).toBe(0)
    const other = demoSweep(temp(), ['  extra: min(vehicle.position.x)'])
    const r = hermes('sweep', other, '--out', out)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('holds runs of another sweep')
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, `config: ${DEMO}\nmetrics:\n  peak: max_abs(vehicle.position.q)\nparameters:\n  modules.nope.x: { list: [1] }\n`)
    const b = hermes('sweep', bad)
    expect(b.status).toBe(1)
    expect(b.stderr).toContain(`${bad}:5:3: parameters.modules.nope.x: not in the base configuration demo.yaml: modules has no key 'nope'`)
  }, 120_000)
})

/** The schema fixture made strict: a property it does not list is refused (test/fixtures/kubernetes/README.md). */
function strictJobSchema(): object {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'kubernetes', 'job-batch-v1.json'), 'utf8')) as Record<string, unknown>
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict)
    if (node === null || typeof node !== 'object') return node
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) if (k !== '$schema' && !k.startsWith('x-kubernetes')) out[k] = strict(v)
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false
    return out
  }
  return strict(schema) as object
}

describe('hermes sweep on a cluster', () => {
  it('writes an Indexed Job that the batch/v1 Job schema accepts, whose command run-one follows with JOB_COMPLETION_INDEX', () => {
    const dir = temp()
    const file = demoSweep(dir)
    const mount = join(dir, 'volume')
    const manifestFile = join(dir, 'job.yaml')
    const r = hermes('sweep', file, '--on', 'kubernetes', '--image', 'registry.example/hermes:1', '--results-claim', 'sweep-results', '--results-mount', mount, '--parallelism', '4', '--manifest', manifestFile)
    expect(r.status, r.stderr).toBe(0)
    const job = parseYaml(readFileSync(manifestFile, 'utf8')) as {
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { command: string[]; args: string[]; env: { name: string; value: string }[]; volumeMounts: { mountPath: string }[] }[] } } }
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    const validate = ajv.compile(strictJobSchema())
    expect(validate(job), JSON.stringify(validate.errors)).toBe(true)
    // The schema has teeth: a misspelt field and a wrong type are refused.
    expect(validate({ ...job, spec: { ...job.spec, completion: 6 } })).toBe(false)
    expect(validate({ ...job, spec: { ...job.spec, parallelism: 'four' } })).toBe(false)
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 6, parallelism: 4 })
    const container = job.spec.template.spec.containers[0]!
    expect(container.command).toEqual(['hermes'])
    expect(container.volumeMounts[0]!.mountPath).toBe(mount)

    // What the pod of index 4 runs: the container's arguments, verbatim, with its environment.
    const env = { ...process.env, ...Object.fromEntries(container.env.map((e) => [e.name, e.value])), JOB_COMPLETION_INDEX: '4' }
    const pod = spawnSync(process.execPath, [CLI, ...container.args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 })
    expect(pod.status, pod.stderr).toBe(0)
    expect(pod.stdout).toMatch(/^run 4: ok in /)
    expect(readdirSync(join(mount, 'rows'))).toEqual(['00000004.json'])

    const collect = hermes('sweep', 'collect', file, '--out', mount)
    expect(collect.status).toBe(2)
    expect(collect.stdout).toContain('1 of 6 runs')
    expect(collect.stdout).toContain('missing: 0-3,5')
    // The row is the one the local pool computes for index 4.
    const local = hermes('sweep', file, '--jobs', '1', '--out', join(dir, 'local'))
    expect(local.status, local.stderr).toBe(0)
    const row4 = (csv: string): string => withoutWall(csv).split('\r\n').find((l) => l.startsWith('4,'))!
    expect(row4(readFileSync(join(mount, 'results.csv'), 'utf8'))).toBe(row4(readFileSync(join(dir, 'local', 'results.csv'), 'utf8')))
  }, 240_000)

  it('run-one refuses an index it cannot use, saying why', () => {
    const file = demoSweep(temp())
    expect(hermes('sweep', 'run-one', file, '--index', '6').stderr).toContain('index 6 is outside the sweep')
    expect(hermes('sweep', 'run-one', file, '--index-from', 'NO_SUCH_VARIABLE_HERE').stderr).toContain('--index-from NO_SUCH_VARIABLE_HERE: the variable is not set')
    expect(hermes('sweep', 'run-one', file).stderr).toContain('exactly one of --index N or --index-from VARIABLE')
  }, 60_000)

  it('submits one job array of the runs still to do, each task running run-one with its SLURM_ARRAY_TASK_ID', () => {
    const sweep = loadSweepFile(demoSweep(temp()))
    const script = slurmScript(sweep, [0, 1, 2, 4], { node: '/usr/bin/node', module: '/app/cli.js', execArgv: [], cwd: '/app', sbatchArgs: [], wait: false, parallelism: 2, name: 'My Study' })
    expect(script).toContain('#SBATCH --array=0-2,4%2')
    expect(script).toContain('#SBATCH --job-name=my-study')
    expect(script).toContain('#SBATCH --chdir=/app')
    expect(script).toContain(`exec '/usr/bin/node' '/app/cli.js' 'sweep' 'run-one' '${sweep.file}' '--out' '${sweep.resultsDir}' '--index-from' 'SLURM_ARRAY_TASK_ID'`)
  })
})
