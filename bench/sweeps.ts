// Sweep benchmarks: runs per second of a 200-run sweep of the demo (30 s simulated each) on 1 and 2
// workers, the cost of a run beyond its frames, of keeping its recording (keep: recording), and of the results writer.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseConfigWithModules } from '../src/main/engine/config/withModules'
import { compileMetrics } from '../src/main/sweep/metrics'
import { runMetered } from '../src/main/sweep/meteredLoop'
import { runParameters } from '../src/main/sweep/plan'
import { ResultsFolder, type ResultRow } from '../src/main/sweep/results'
import { SweepRunner } from '../src/main/sweep/runOne'
import { signalSlots } from '../src/main/sweep/signals'
import { loadSweepFile, type Sweep } from '../src/main/sweep/sweepFile'
import { printTable } from './table'

const ROOT = resolve(__dirname, '..')
const RUNS = 200

function sweepFile(dir: string, runs: number, keep: 'metrics' | 'recording' = 'metrics'): string {
  const file = join(dir, keep === 'metrics' ? 'bench.yaml' : `bench-${keep}.yaml`)
  writeFileSync(
    file,
    [
      `config: ${join(ROOT, 'resources', 'examples', 'demo.yaml')}`,
      'run: { end_time: 30 }',
      'seed: 1',
      `samples: ${runs}`,
      'parameters:',
      '  modules.vehicle.options.mass: { uniform: { min: 1.5, max: 2.5 } }',
      '  modules.pid_x.options.kp: { normal: { mean: 12, std: 2 } }',
      'metrics:',
      '  peak: max_abs(vehicle.position.x)',
      '  rms_out: rms(pid_x.output)',
      '  t_3m: crossing(vehicle.position.x, 3)',
      '  end: final(vehicle.position.x)',
      '  faults: faults()',
      `keep: ${keep}`
    ].join('\n')
  )
  return file
}

const ms = (s: number): string => `${(s * 1000).toFixed(2)} ms`

/** The frames alone: the loop of one run on this thread, its configuration already loaded. */
async function loopOnly(sweep: Sweep, repeats: number): Promise<number> {
  const { config } = await parseConfigWithModules(sweep.configText, sweep.configFile, { overrides: { execution: { mode: 'afap', end_time: 30 }, server: { enabled: false } } })
  const slots = signalSlots(config)
  const compiled = compileMetrics(sweep.metrics, (n) => slots.get(n))
  // Warm: the first runs are compiled as they go.
  for (let i = 0; i < repeats; i++) runMetered(config, compiled)
  const start = performance.now()
  for (let i = 0; i < repeats; i++) runMetered(config, compiled)
  return (performance.now() - start) / 1000 / repeats
}

/** One whole run as a worker does it (configuration with its --set values, runner thread, metrics), warm. */
async function wholeRun(sweep: Sweep, repeats: number): Promise<number> {
  const runner = new SweepRunner(sweep)
  for (let i = 0; i < repeats; i++) await runner.run(i)
  const start = performance.now()
  for (let i = repeats; i < 2 * repeats; i++) await runner.run(i)
  const seconds = (performance.now() - start) / 1000 / repeats
  await runner.close()
  return seconds
}

function pool(file: string, out: string, jobs: number): number {
  const start = performance.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main', 'cli.ts'), 'sweep', file, '--jobs', String(jobs), '--out', out, '--no-progress'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HERMES_LOG: 'warn' }
  })
  if (r.status !== 0) throw new Error(`hermes sweep failed: ${r.stderr}`)
  return (performance.now() - start) / 1000
}

function writerCost(sweep: Sweep, dir: string, rows: number): { perRow: number; collect: number; csvBytes: number; parquetBytes: number } {
  const folder = new ResultsFolder(join(dir, `writer-${rows}`), { ...sweep, runs: rows })
  folder.open()
  const row = (index: number): ResultRow => ({ index, parameters: runParameters({ ...sweep, runs: rows }, index), metrics: [1.5, 2.25, 0.75, 4.0, 0], status: 'ok', error: '', wallSeconds: 0.01 })
  const start = performance.now()
  for (let i = 0; i < rows; i++) folder.write(row(i))
  const perRow = (performance.now() - start) / 1000 / rows
  const c = performance.now()
  const report = folder.collect()
  const collect = (performance.now() - c) / 1000
  return { perRow, collect, csvBytes: readFileSync(report.csv).length, parquetBytes: readFileSync(report.parquet).length }
}

export async function sweepsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-sweeps-'))
  try {
    const file = sweepFile(dir, RUNS)
    const sweep = loadSweepFile(file)
    const loop = await loopOnly(sweep, 20)
    const whole = await wholeRun(sweep, 20)
    const recorded = loadSweepFile(sweepFile(dir, RUNS, 'recording'))
    const withRecording = await wholeRun(recorded, 20)
    const recordingBytes = statSync(join(recorded.resultsDir, 'runs', '00000000.mcap')).size
    const rows: string[][] = [
      ['frames of one run, in-process (3000 frames, 8 modules)', ms(loop), `${Math.round(3000 / loop).toLocaleString('en-US')} frames/s`],
      ['one whole run, in-process, warm (load with --set values, runner thread, metrics)', ms(whole), `overhead ${ms(whole - loop)} over the frames; ${(1 / whole).toFixed(1)} runs/s`],
      [
        'the same with keep: recording (recorder thread, zstd, rename)',
        ms(withRecording),
        `${(1 / withRecording).toFixed(1)} runs/s; +${ms(withRecording - whole)} per run; ${(recordingBytes / 1024).toFixed(0)} KiB per recording`
      ]
    ]
    for (const jobs of [1, 2]) {
      const wall = pool(file, join(dir, `pool-${jobs}`), jobs)
      const perRun = (wall * jobs) / RUNS
      rows.push([`hermes sweep, ${RUNS} runs, --jobs ${jobs} (process start included)`, `${wall.toFixed(2)} s`, `${(RUNS / wall).toFixed(1)} runs/s; ${ms(perRun)} per run per worker, overhead ${ms(perRun - loop)} over the frames`])
    }
    printTable(`Sweeps: the demo, 30 s simulated per run (afap), ${RUNS} runs`, ['measure', 'time', 'rate / overhead'], rows)

    const writer = [RUNS, 10_000].map((n) => {
      const w = writerCost(sweep, dir, n)
      return [String(n), ms(w.perRow), ms(w.collect), `${(w.csvBytes / 1024).toFixed(0)} KiB`, `${(w.parquetBytes / 1024).toFixed(0)} KiB`]
    })
    printTable('Sweeps: results writer (a row file per run, written whole: a temporary file, then a rename; then CSV and Parquet of them all)', ['rows', 'per row', 'collect (read + CSV + Parquet)', 'CSV', 'Parquet'], writer)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
