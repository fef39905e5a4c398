// What `hermes sweep` does: a sweep file's runs on a local pool of worker processes, or handed to Slurm or
// Kubernetes; `sweep run-one` (the one contract every executor runs) and `sweep collect`. Loaded only
// when a sweep command runs (cli/sweep.ts), so that other commands start without it.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { ConfigError, formatIssue } from '../engine/config/issues'
import { submitSlurm, type SlurmOptions } from '../sweep/slurm'
import { kubernetesManifest, type KubernetesOptions } from '../sweep/kubernetes'
import { WorkerPool, type PoolMessage, type WorkerCommand, type WorkerMessage } from '../sweep/pool'
import { formatRanges } from '../sweep/ranges'
import { RecordingFiles, ResultsFolder, type CollectReport } from '../sweep/results'
import { SweepRunner } from '../sweep/runOne'
import { loadSweepFile, type Sweep } from '../sweep/sweepFile'
import { runParameters } from '../sweep/plan'
import { writeFileAtomic } from '../sweep/atomic'
import { RunsProgress } from './progress'

function fail(message: string): never {
  process.stderr.write(`hermes sweep: ${message}\n`)
  process.exit(1)
}

function sweepOrExit(file: string, out?: string, { warn = true } = {}): Sweep {
  try {
    const sweep = loadSweepFile(file)
    if (warn) for (const w of sweep.warnings) process.stderr.write(`${formatIssue(w)}\n`)
    return out ? { ...sweep, resultsDir: resolve(out) } : sweep
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const w of error.warnings) process.stderr.write(`${formatIssue(w)}\n`)
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`)
    process.stderr.write(`${error.issues.length} error${error.issues.length === 1 ? '' : 's'} in ${file}\n`)
    process.exit(1)
  }
}

function folderOrExit(sweep: Sweep): ResultsFolder {
  const folder = new ResultsFolder(sweep.resultsDir, sweep)
  try {
    folder.open()
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  return folder
}

/** The same program as this one, as it was started (from source through tsx, or built): what workers and clusters run. */
function thisCommand(): { module: string; execArgv: string[] } {
  return { module: resolve(process.argv[1] ?? ''), execArgv: process.execArgv }
}

function printCollect(report: CollectReport, runs: number): void {
  process.stdout.write(`hermes sweep: ${report.rows} of ${runs} runs in ${report.csv} and ${report.parquet}\n`)
  if (report.failed.length > 0) process.stdout.write(`failed: ${formatRanges(report.failed)}\n`)
  if (report.missing.length > 0) process.stdout.write(`missing: ${formatRanges(report.missing)}\n`)
  for (const u of report.unreadable) process.stderr.write(`hermes sweep: unreadable row ${u}\n`)
}

function collectOrExit(folder: ResultsFolder, sweep: Sweep): CollectReport {
  try {
    const report = folder.collect()
    printCollect(report, sweep.runs)
    return report
  } catch (error) {
    fail(`cannot write the results table: ${error instanceof Error ? error.message : String(error)}`)
  }
}

export interface SweepOptions {
  jobs?: number
  out?: string
  retryFailed: boolean
  on: 'local' | 'slurm' | 'kubernetes'
  progress: boolean
  sbatchArg: string[]
  wait: boolean
  image?: string
  resultsClaim?: string
  resultsMount: string
  sweepPath?: string
  parallelism?: number
  manifest?: string
  command: string
  name?: string
}

export async function sweepCommand(file: string, opts: SweepOptions): Promise<void> {
  const sweep = sweepOrExit(file, opts.out)
  const folder = folderOrExit(sweep)
  if (opts.retryFailed) {
    const { rows } = folder.rows()
    for (const r of rows) if (r.status === 'failed') folder.forget(r.index)
  }
  const finished = folder.finished()
  const todo: number[] = []
  for (let i = 0; i < sweep.runs; i++) if (!finished.has(i)) todo.push(i)

  if (opts.on === 'kubernetes') return writeKubernetes(sweep, todo, opts)
  if (opts.on === 'slurm') return slurm(sweep, folder, todo, opts)

  const jobs = opts.jobs ?? availableParallelism()
  process.stderr.write(
    `hermes sweep: ${sweep.file}: ${sweep.runs} runs, ${sweep.runs - todo.length} already done, ${todo.length} to run on ${Math.min(jobs, Math.max(1, todo.length))} workers; results in ${sweep.resultsDir}\n`
  )
  const { module, execArgv } = thisCommand()
  const worker: WorkerCommand = { module, execArgv, args: ['sweep', '_worker', sweep.file, '--out', sweep.resultsDir, '--fingerprint', sweep.fingerprint] }
  const before = sweep.runs - todo.length
  const progress = opts.progress ? new RunsProgress(process.stderr, sweep.runs, before) : null
  let failedNow = 0
  let finishedNow = 0
  const pool = new WorkerPool({
    sweep,
    folder,
    indices: todo,
    jobs,
    worker,
    onRun: (finishedRuns, failedRuns) => {
      finishedNow = finishedRuns
      failedNow = failedRuns
      progress?.update(before + finishedRuns, failedRuns)
    }
  })
  let interrupted = false
  const onSignal = (): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    process.stderr.write(`\nhermes sweep: stopping; runs in progress leave no row, and the same command resumes the sweep\n`)
    pool.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const result = await pool.run()
  progress?.finish(before + finishedNow, failedNow)
  if (result.aborted) fail(result.aborted)
  collectOrExit(folder, sweep)
  if (interrupted) process.exit(130)
}

function writeKubernetes(sweep: Sweep, todo: readonly number[], opts: SweepOptions): void {
  if (!opts.image) fail('--on kubernetes needs --image (the container image that has hermes, the sweep file and its configuration)')
  if (!opts.resultsClaim) fail('--on kubernetes needs --results-claim (the PersistentVolumeClaim that holds the results folder)')
  const k8s: KubernetesOptions = {
    image: opts.image,
    resultsClaim: opts.resultsClaim,
    resultsMount: opts.resultsMount,
    sweepPath: opts.sweepPath ?? sweep.file,
    parallelism: opts.parallelism ?? Math.min(sweep.runs, 16),
    command: opts.command.split(' ').filter(Boolean),
    name: opts.name
  }
  const text = kubernetesManifest(sweep, k8s)
  if (todo.length < sweep.runs) process.stderr.write(`hermes sweep: note: ${sweep.runs - todo.length} runs are already in ${sweep.resultsDir}; the Job runs every index, and run-one skips none\n`)
  if (opts.manifest) {
    writeFileAtomic(opts.manifest, text)
    process.stderr.write(`hermes sweep: wrote an Indexed Job of ${sweep.runs} completions to ${opts.manifest}; apply it with kubectl apply -f ${opts.manifest}, then: hermes sweep collect ${sweep.file} --out <the results folder>\n`)
  } else {
    process.stdout.write(text)
  }
}

async function slurm(sweep: Sweep, folder: ResultsFolder, todo: readonly number[], opts: SweepOptions): Promise<void> {
  if (todo.length === 0) {
    process.stderr.write('hermes sweep: every run is done already\n')
    collectOrExit(folder, sweep)
    return
  }
  const { module, execArgv } = thisCommand()
  const options: SlurmOptions = { node: process.execPath, module, execArgv, cwd: process.cwd(), sbatchArgs: opts.sbatchArg, wait: opts.wait, parallelism: opts.parallelism ?? null, name: opts.name }
  let job: { jobId: string; script: string }
  try {
    job = await submitSlurm(sweep, todo, options)
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  process.stderr.write(`hermes sweep: submitted Slurm job array ${job.jobId} (${todo.length} tasks: ${formatRanges(todo)}); script ${job.script}\n`)
  if (!opts.wait) {
    process.stderr.write(`hermes sweep: when it has ended: hermes sweep collect ${sweep.file}${opts.out ? ` --out ${sweep.resultsDir}` : ''}\n`)
    return
  }
  const report = collectOrExit(folder, sweep)
  if (report.missing.length > 0) process.exitCode = 2
}

export interface RunOneOptions {
  index?: number
  indexFrom?: string
  out?: string
}

/** The run-one contract: the row of one index into the results folder; exit 0 once the row is written, failed run or not. */
export async function runOne(file: string, opts: RunOneOptions): Promise<void> {
  if ((opts.index === undefined) === (opts.indexFrom === undefined)) fail('run-one needs exactly one of --index N or --index-from VARIABLE')
  let index = opts.index
  if (opts.indexFrom !== undefined) {
    const text = process.env[opts.indexFrom]
    if (text === undefined || !/^\d+$/.test(text.trim())) fail(`--index-from ${opts.indexFrom}: the variable is ${text === undefined ? 'not set' : `'${text}', not an index`}`)
    index = Number(text.trim())
  }
  const sweep = sweepOrExit(file, opts.out)
  if (index! >= sweep.runs) fail(`index ${index} is outside the sweep's runs (0 to ${sweep.runs - 1})`)
  const folder = folderOrExit(sweep)
  const runner = new SweepRunner(sweep)
  const started = performance.now()
  // run.timeout_s, as the local pool enforces it: the run is recorded as failed, and this process ends.
  const timer =
    sweep.timeoutS === null
      ? null
      : setTimeout(() => {
          const error = `the run took longer than run.timeout_s (${sweep.timeoutS} s) and was killed`
          if (sweep.keep === 'recording') new RecordingFiles(sweep.resultsDir).clearPartial(index!)
          folder.write({ index: index!, parameters: runParameters(sweep, index!), metrics: sweep.metrics.map(() => null), status: 'failed', error, wallSeconds: (performance.now() - started) / 1000, recording: '' })
          process.stdout.write(`run ${index}: failed: ${error}\n`)
          process.exit(0)
        }, sweep.timeoutS * 1000)
  const row = await runner.run(index!)
  if (timer) clearTimeout(timer)
  await runner.close()
  try {
    folder.write(row)
  } catch (error) {
    fail(`cannot write the row of run ${index}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const metrics = sweep.metrics.map((m, i) => `${m.name}=${String(row.metrics[i])}`).join(' ')
  process.stdout.write(`run ${index}: ${row.status} in ${row.wallSeconds.toFixed(3)} s${row.error ? `: ${row.error.split('\n')[0]}` : ''}${metrics ? `  ${metrics}` : ''}\n`)
}

export function collect(file: string, opts: { out?: string }): void {
  const sweep = sweepOrExit(file, opts.out)
  const folder = folderOrExit(sweep)
  const report = collectOrExit(folder, sweep)
  if (report.missing.length > 0) process.exitCode = 2
}

/** A pool worker: runs the indices it is sent, one at a time, each row written before it answers. */
export function poolWorker(file: string, opts: { out: string; fingerprint: string }): void {
  const send = (message: WorkerMessage): void => void process.send?.(message)
  // The sweep that started it has gone (killed): so does its worker.
  process.on('disconnect', () => process.exit(0))
  let sweep: Sweep
  try {
    sweep = { ...loadSweepFile(file), resultsDir: opts.out }
  } catch (error) {
    send({ kind: 'fatal', message: error instanceof Error ? error.message : String(error) })
    return process.exit(1)
  }
  if (sweep.fingerprint !== opts.fingerprint) {
    send({ kind: 'fatal', message: `${file} or its base configuration changed since the sweep started: start it again` })
    return process.exit(1)
  }
  const folder = new ResultsFolder(opts.out, sweep)
  const runner = new SweepRunner(sweep)
  process.on('message', (message: PoolMessage) => {
    if (message.kind !== 'run') return
    void runner.run(message.index).then(
      (row) => {
        folder.write(row)
        send({ kind: 'done', index: message.index, status: row.status })
      },
      (error: unknown) => {
        send({ kind: 'fatal', message: `run ${message.index}: ${error instanceof Error ? error.message : String(error)}` })
        process.exit(1)
      }
    )
  })
  send({ kind: 'ready' })
}

