// A real Slurm: a single-node cluster on this machine (scripts/slurm-cluster.sh) runs a 20-run sweep as
// one job array; its table equals the local pool's. Skipped, saying so, where Slurm is not installed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, ROOT } from './testing'

const SCRIPT = join(ROOT, 'scripts', 'slurm-cluster.sh')
const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const missing = ['sbatch', 'slurmctld', 'slurmd', 'munged', 'runuser'].filter((t) => !has(t))
const isRoot = process.getuid?.() === 0
const reason = missing.length > 0 ? `Slurm is not installed (missing ${missing.join(', ')}): apt-get install -y slurm-wlm munge` : !isRoot ? 'the test cluster needs root' : null
if (reason) console.warn(`SKIPPED: src/main/cli/slurm.test.ts: ${reason}`)

const withoutWall = (csv: string): string => csv.replace(/,wall_s\r\n/, '\r\n').replace(/,[-0-9.e+]+\r\n/g, '\r\n')

describe.skipIf(reason !== null)('hermes sweep --on slurm, on a real single-node Slurm', () => {
  const state = mkdtempSync(join(tmpdir(), 'hermes-slurm-'))
  let conf = ''

  beforeAll(() => {
    const r = spawnSync('bash', [SCRIPT, 'start', state], { encoding: 'utf8', timeout: 90_000 })
    if (r.status !== 0) throw new Error(`the test cluster did not start: ${r.stderr}`)
    conf = r.stdout.trim()
  }, 120_000)

  afterAll(() => {
    spawnSync('bash', [SCRIPT, 'stop', state], { timeout: 30_000 })
  })

  it('submits 20 runs as one job array, waits, collects, and gets the local table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-slurm-sweep-'))
    const file = join(dir, 'study.yaml')
    writeFileSync(
      file,
      [
        `config: ${DEMO}`,
        'run: { end_time: 1 }',
        'seed: 9',
        'samples: 10',
        'parameters:',
        '  modules.pid_x.options.kp: { grid: [8, 14] }',
        '  modules.vehicle.options.mass: { uniform: { min: 1, max: 3 } }',
        'metrics:',
        '  peak: max_abs(vehicle.position.x)',
        '  t_half: crossing(vehicle.position.x, 0.5)',
        '  faults: faults()'
      ].join('\n')
    )
    const env = { ...process.env, SLURM_CONF: conf, HERMES_LOG: 'warn' }
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 900_000 })
    const slurm = cli('sweep', file, '--on', 'slurm', '--wait', '--out', join(dir, 'slurm'))
    expect(slurm.status, slurm.stderr).toBe(0)
    expect(slurm.stderr).toMatch(/submitted Slurm job array \d+ \(20 tasks: 0-19\)/)
    expect(slurm.stdout).toContain('20 of 20 runs')
    const local = cli('sweep', file, '--jobs', '2', '--out', join(dir, 'local'))
    expect(local.status, local.stderr).toBe(0)
    const a = readFileSync(join(dir, 'slurm', 'results.csv'), 'utf8')
    const b = readFileSync(join(dir, 'local', 'results.csv'), 'utf8')
    expect(a.trim().split('\r\n')).toHaveLength(21)
    expect(withoutWall(a)).toBe(withoutWall(b))
    // Submitted again, nothing is left to run.
    const again = cli('sweep', file, '--on', 'slurm', '--out', join(dir, 'slurm'))
    expect(again.stderr).toContain('every run is done already')
  }, 900_000)
})
