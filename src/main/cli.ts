// The headless `hermes` command: run, validate and list-signals, on plain Node.
// What a command needs is imported when it runs (the config loader, the engine, the server, netsim,
// the recording reader): start-up costs only what the command uses (docs/architecture.md, start-up).
import { setFlagsFromString } from 'node:v8'
import { Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, formatIssue, type ConfigIssue } from './engine/config/issues'
import type { ConfigOverrides } from './engine/config/load'
import type { ResolvedConfig } from './engine/config/types'
import type { Session } from './engine/session'
import type { FaultAction } from './engine/scheduler/control'
import { expandPatterns } from '../shared/protocol/patterns'
import { formatSummary, table } from './cli/format'
import { addNetsimCommand } from './cli/netsim'
import { addSweepCommand } from './cli/sweep'
import { collectMetric, collectSet } from './cli/options'
import type { RunResults } from './cli/runResults'
import type { ConfigSet } from './engine/config/override'
import type { MetricSpec } from './sweep/metrics'
import { addReplayCommand } from './cli/replay'
import { addRecordingCommands, keepRetention, planRecording, type RecordingPlan } from './cli/recording'
import { ProgressBar } from './cli/progress'
import { SignalPrinter } from './cli/printer'
import { DEFAULT_CONFIG, RENDERER_DIR } from './paths'
import type { HermesServer } from './engine/server/server'
import { version } from '../../package.json'

// Before any worker starts, so every isolate of the process gets it: V8 grows heaps more slowly and
// returns memory sooner. The served demo levels off some 5 MB lower (81 -> 75 MB without recording),
// for about 0.02 of a core more at idle and no measurable change in afap frames/s (issue 16, footprint).
setFlagsFromString('--optimize-for-size')

const positive = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, got '${value}'`)
  return n
}

const nonNegative = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a number >= 0, got '${value}'`)
  return n
}

const port = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port expects an integer from 0 to 65535, got '${value}'`)
  return n
}

function printWarnings(warnings: readonly ConfigIssue[]): void {
  for (const w of warnings) process.stderr.write(`${formatIssue(w)}\n`)
}

/**
 * Loads a config (asking script and process modules for the signals they declare) or prints every error
 * and exits 1: nothing else in the CLI deals with a bad file.
 */
async function loadOrExit(file: string, overrides?: ConfigOverrides, sets: readonly ConfigSet[] = []): Promise<ResolvedConfig> {
  const { loadConfigFileWithModules } = await import('./engine/config/withModules')
  try {
    const { config, warnings } = await loadConfigFileWithModules(file, { overrides, sets })
    printWarnings(warnings)
    return config
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    printWarnings(error.warnings)
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`)
    process.stderr.write(`${error.issues.length} error${error.issues.length === 1 ? '' : 's'} in ${file}\n`)
    process.exit(1)
  }
}

interface RunOptions {
  mode?: string
  endTime?: number
  rate?: number
  server: boolean
  serve?: boolean
  port?: number
  host?: string
  print?: string[]
  printRate: number
  progress: boolean
  set: ConfigSet[]
  results?: string
  metric: MetricSpec[]
  /** --record FILE|FOLDER, or false for --no-record. */
  record?: string | false
}

async function startServer(config: ResolvedConfig, session: Session): Promise<HermesServer | null> {
  if (!config.server.enabled) return null
  const { host, port, telemetryHz, allowedOrigins, allowedHosts } = config.server
  const { HermesServer } = await import('./engine/server/server')
  const server = await HermesServer.start({ host, port, telemetryHz, allowedOrigins, allowedHosts, staticDir: RENDERER_DIR, serverName: `hermes-console/${version}` })
  server.bind(session)
  process.stderr.write(`hermes: console at http://${server.url.slice('ws://'.length)}/ ; serving ${server.url} for any client\n`)
  return server
}

/**
 * Ctrl+C (or SIGTERM) asks for a clean stop. Asked again while the stop runs, it says what the stop is
 * waiting for; a third time, it gives up on the clean stop and exits 130 (module processes are killed
 * with their process groups on the way out: moduleProcess.ts).
 */
const SAME_SIGNAL_MS = 200
const UNDER_NPM = process.env.npm_lifecycle_event === 'hermes'
function stopSignals(progress: () => string): Promise<string> {
  return new Promise<string>((resolve) => {
    let asked = 0
    let lastMs = -Infinity
    const onSignal = (outcome: string): void => {
      // One Ctrl+C under `npm run hermes` arrives twice: from the terminal, and forwarded by npm.
      const now = performance.now()
      const repeat = UNDER_NPM && now - lastMs < SAME_SIGNAL_MS
      lastMs = now
      if (repeat) return
      asked++
      if (asked === 1) {
        process.stderr.write(`hermes: stopping\n`)
        return resolve(outcome)
      }
      const waiting = progress() || 'starting'
      if (asked === 2) {
        process.stderr.write(`hermes: still stopping: ${waiting}; press Ctrl+C again to force\n`)
        return
      }
      process.stderr.write(`hermes: forced to exit while ${waiting}\n`)
      process.exit(130)
    }
    process.on('SIGINT', () => onSignal('interrupted'))
    process.on('SIGTERM', () => onSignal('terminated'))
  })
}

/** What a fault means for the CLI: keep serving (a client can reset), carry on (a restart), or end with exit 1. */
function faultOutcome(action: FaultAction, served: boolean): 'serve' | 'restart' | 'exit' {
  if (action === 'restart') return 'restart'
  return action === 'pause' && served ? 'serve' : 'exit'
}

async function run(file: string, opts: RunOptions): Promise<void> {
  // Handlers first: a signal that arrives while the engine starts still means a clean stop.
  let stopping: (() => string) | null = null
  const stopSignal = stopSignals(() => stopping?.() ?? '')
  const config = await loadOrExit(
    file,
    {
      execution: { mode: opts.mode, rate_hz: opts.rate, end_time: opts.endTime },
      server: { enabled: !opts.server ? false : opts.serve ? true : undefined, host: opts.host, port: opts.port }
    },
    opts.set
  )
  if (opts.metric.length > 0) return runMetricsOrExit(file, config, opts)
  let plan: RecordingPlan | null
  try {
    plan = planRecording(config, opts.record)
  } catch (error) {
    process.stderr.write(`hermes: cannot record: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  const { Session } = await import('./engine/session')
  const session = await Session.start(config, { serving: config.server.enabled, ...(plan ? { recording: plan.options } : {}) })
  const retention = plan ? keepRetention(plan, (line) => process.stderr.write(`${line}\n`)) : null
  if (plan) process.stderr.write(`hermes: recording every frame to ${plan.options.file}\n`)
  let server: HermesServer | null = null
  // Listening from the start: a module may fail in the first frames, before the server is up.
  const fault = new Promise<string>((resolve) => {
    session.scheduler.onEvent((event) => {
      if (event.kind === 'exit') resolve(event.message)
      if (event.kind !== 'fault') return
      const what = `module '${event.module}' failed at frame ${event.frame}: ${event.message}`
      const outcome = faultOutcome(event.action, config.server.enabled)
      if (outcome === 'exit') return resolve(what)
      // Served, a fault pauses the run and the server stays up: a client can look, and reset.
      const next = outcome === 'restart' ? 'restarting it' : `the run is paused; still serving ${server?.url ?? 'clients'}: reset restarts it, Ctrl+C stops`
      process.stderr.write(`hermes: ${what}; ${next}\n`)
    })
  })
  try {
    server = await startServer(config, session)
  } catch (error) {
    await session.stop()
    throw error
  }
  const { execution } = config
  process.stderr.write(
    `hermes: running ${config.file} (${execution.mode}, ${execution.rateHz} Hz${execution.endTime !== null ? `, until ${execution.endTime} s` : ''}); Ctrl+C stops\n`
  )

  const timers: NodeJS.Timeout[] = []
  let printer: SignalPrinter | null = null
  if (opts.print && opts.print.length > 0) {
    const names = expandPatterns(opts.print, session.scheduler.backplane.names)
    if (names.length === 0) process.stderr.write(`hermes: --print ${opts.print.join(' ')} matches no signal\n`)
    const slots = names.map((n) => session.scheduler.backplane.slot(n) ?? -1)
    const p = new SignalPrinter(names, slots, (line) => process.stdout.write(`${line}\n`))
    printer = p
    timers.push(setInterval(() => void session.scheduler.snapshot().then((s) => p.print(s), () => undefined), 1000 / opts.printRate))
  }
  let bar: ProgressBar | null = null
  if (opts.progress && process.stderr.isTTY && execution.mode === 'afap' && execution.endTime !== null) {
    const progress = new ProgressBar(process.stderr, execution.endTime)
    bar = progress
    timers.push(setInterval(() => void session.scheduler.snapshot().then((s) => progress.update(s.timeNs / 1e9, s.frame), () => undefined), 100))
  }

  let outcome = await Promise.race([session.whenEnded().then(() => 'ended'), stopSignal, fault.then((m) => `fault:${m}`)])

  for (const t of timers) clearInterval(t)
  // At end_time the loop is idle and answers at once (a stuck module after a fault or Ctrl+C would not).
  if (printer && outcome === 'ended') {
    const last = await session.scheduler.snapshot().catch(() => null)
    if (last) printer.print(last)
  }
  if (bar) {
    const last = await session.scheduler.snapshot().catch(() => null)
    if (last) bar.update(last.timeNs / 1e9, last.frame)
    bar.finish()
  }
  if (outcome === 'ended' && server) {
    process.stderr.write(`hermes: end_time reached; still serving ${server.url} for inspection, Ctrl+C stops\n`)
    outcome = await stopSignal
  }
  let serverStopped = false
  stopping = () => (server && !serverStopped ? 'closing the client connections' : session.stopProgress())
  await server?.stop()
  serverStopped = true
  const summary = await session.stop()
  if (retention) clearInterval(retention)
  process.stdout.write(`${formatSummary(summary)}\n`)
  if (summary.recording) {
    const r = summary.recording
    process.stderr.write(`hermes: recorded ${r.frames} frames and ${r.events} events to ${r.file} (${r.bytes} bytes)${r.failure ? `; recording stopped early: ${r.failure}` : ''}\n`)
  }
  if (opts.results) {
    const status = outcome === 'ended' ? 'ok' : outcome.startsWith('fault:') ? 'failed' : 'stopped'
    const error = outcome.startsWith('fault:') ? outcome.slice('fault:'.length) : ''
    const { setsRecord } = await import('./cli/runResults')
    await writeResultsOrExit(opts.results, { file: config.file ?? file, sets: setsRecord(opts.set), status, error, summary, metrics: {} })
  }
  if (outcome.startsWith('fault:')) {
    process.stderr.write(`hermes: ${outcome.slice('fault:'.length)}\n`)
    process.exitCode = 1
  } else if (outcome !== 'ended') {
    process.stderr.write(`hermes: ${outcome}, stopped cleanly\n`)
  }
}

/** The run-results code (and the frame loop it watches) loads only for --results and --metric. */
async function writeResultsOrExit(file: string, results: RunResults): Promise<void> {
  const { writeRunResults } = await import('./cli/runResults')
  try {
    writeRunResults(file, results)
  } catch (error) {
    process.stderr.write(`hermes: cannot write --results ${file}: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}

/** `--metric`: the run is watched frame by frame, without a server, to its end_time. */
async function runMetricsOrExit(file: string, config: ResolvedConfig, opts: RunOptions): Promise<void> {
  const refuse = (why: string): never => {
    process.stderr.write(`hermes: --metric ${why}\n`)
    process.exit(1)
  }
  if (config.server.enabled) refuse('watches every frame of a run without a server: add --no-server')
  if (config.execution.endTime === null) refuse('needs a run that ends: give --end-time or execution.end_time')
  if (config.execution.mode === 'single_frame') refuse('needs a run that steps by itself: --mode afap or realtime')
  process.stderr.write(`hermes: running ${config.file} (${config.execution.mode}, ${config.execution.rateHz} Hz, until ${config.execution.endTime} s) with ${opts.metric.length} metrics\n`)
  const { runWithMetrics, setsRecord } = await import('./cli/runResults')
  let result
  try {
    result = await runWithMetrics(config, opts.metric)
  } catch (error) {
    refuse(error instanceof Error ? error.message : String(error))
  }
  const { outcome, summary } = result!
  process.stdout.write(`${formatSummary(summary)}\n`)
  const metrics = Object.fromEntries(opts.metric.map((m, i) => [m.name, outcome.values[i] ?? null]))
  process.stdout.write(`${table(['METRIC', 'VALUE'], Object.entries(metrics).map(([name, v]) => [name, v === null ? '-' : String(v)]))}\n`)
  if (opts.results) await writeResultsOrExit(opts.results, { file: config.file ?? file, sets: setsRecord(opts.set), status: outcome.status, error: outcome.error, summary, metrics })
  if (outcome.status === 'failed') {
    process.stderr.write(`hermes: ${outcome.error}\n`)
    process.exitCode = 1
  }
}

/**
 * A reader that stops early (`hermes list-signals x.yaml | head`) closes the pipe: that ends the
 * listing quietly, as for any Unix tool, instead of an unhandled EPIPE with a stack trace.
 */
function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}

async function validate(file: string, opts: { set: ConfigSet[] }): Promise<void> {
  endQuietlyWhenStdoutCloses()
  const config = await loadOrExit(file, undefined, opts.set)
  const signals = config.modules.reduce((n, m) => n + m.signals.length, 0)
  process.stdout.write(
    `${config.file}: valid: ${config.modules.length} modules, ${signals} signals, ${config.wires.length} wires, ${config.execution.mode} at ${config.execution.rateHz} Hz\n`
  )
  for (const m of config.modules) {
    process.stdout.write(`  Module: ${m.name} (${m.type}${m.model ? ` ${m.model}` : ''})\n`)
    for (const s of m.signals) process.stdout.write(`    Signal: ${s.name} (${s.type})\n`)
  }
}

async function listSignals(file: string, opts: { json: boolean }): Promise<void> {
  endQuietlyWhenStdoutCloses()
  const config = await loadOrExit(file)
  const signals = config.modules.flatMap((m) => m.signals.map((s) => ({ module: m.name, ...s })))
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(signals, null, 2)}\n`)
    return
  }
  const rows = signals.map((s) => [s.qualified, s.module, s.type, s.unit || '-', [s.writable ? 'writable' : '', s.published ? '' : 'unpublished'].filter(Boolean).join(',') || '-'])
  process.stdout.write(`${table(['SIGNAL', 'MODULE', 'TYPE', 'UNIT', 'FLAGS'], rows)}\n`)
}

export function buildProgram(): Command {
  const program = new Command('hermes').description('Hermes-compatible simulation engine, headless').version(version)
  program
    .command('run')
    .description('run a configuration (the built-in demo when none is given)')
    .argument('[config]', 'YAML configuration file', DEFAULT_CONFIG)
    .addOption(new Option('--mode <mode>', 'execution mode').choices(['afap', 'realtime', 'single_frame']))
    .option('--end-time <seconds>', 'stop at this simulated time', nonNegative('--end-time'))
    .option('--rate <hz>', 'frame rate in Hz', positive('--rate'))
    .option('--no-server', 'do not start the WebSocket server even if the config enables it')
    .option('--serve', 'start the WebSocket server and the console even if the config does not enable it')
    .option('--port <port>', 'server port (0 picks a free one)', port)
    .option('--host <host>', 'server bind address')
    .option('--print <patterns...>', "print signals matching these patterns ('*', 'module.*', exact names)")
    .option('--print-rate <hz>', 'how often --print prints', positive('--print-rate'), 10)
    .option('--no-progress', 'no progress bar for afap runs')
    .option('--set <path=value>', 'change a value of the configuration by its YAML path before validation (repeatable): modules.pid_x.options.kp=10, wiring[3].gain=0.5', collectSet, [])
    .option('--results <file>', "write the run's summary and metrics as JSON to this file")
    .option('--metric <[name=]metric>', 'a metric of the run (repeatable; runs without the server): final|min|max|mean|rms|max_abs(signal), crossing(signal, value[, rising|falling]), faults()', collectMetric, [])
    .option('--record <file>', 'record every frame, command and event to this .mcap file (or a new file in this folder)')
    .option('--no-record', 'do not record, even when served or when the config says so')
    .action((file: string, opts: RunOptions) => run(file, opts))
  program
    .command('validate')
    .description('check a configuration without running it')
    .argument('<config>', 'YAML configuration file')
    .option('--set <path=value>', 'change a value by its YAML path before validation (repeatable)', collectSet, [])
    .action(validate)
  program
    .command('list-signals')
    .description('list every signal with its module, type, unit and flags')
    .argument('<config>', 'YAML configuration file')
    .option('--json', 'print JSON instead of a table', false)
    .action(listSignals)
  addNetsimCommand(program)
  addSweepCommand(program)
  addRecordingCommands(program)
  addReplayCommand(program)
  return program
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`hermes: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
