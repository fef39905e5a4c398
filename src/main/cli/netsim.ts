// `hermes netsim`: the network-simulating proxy, and `hermes netsim inspect` for the recordings it writes.
import { writeFileSync } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import { ConfigError, formatIssue } from '../engine/config/issues'
import { describeConditions, PROFILE_NAMES } from '../netsim/conditions'
import { resolveProfile, type ResolvedProfile } from '../netsim/profileFile'
import { NetsimProxy } from '../netsim/proxy'
import { loadRecording, saveRecording } from '../netsim/recording'
import { formatStats, summarizeRecording } from '../netsim/report'

interface NetsimOptions {
  target: string
  host: string
  port: number
  profile: string
  seed?: number
  record?: string
  recordBytes: boolean
  history: number
  statsInterval?: number
  statsJson?: string
}

const integer = (flag: string, min: number, max: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} expects an integer from ${min} to ${max}, got '${value}'`)
  return n
}

const positive = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, got '${value}'`)
  return n
}

function profileOrExit(nameOrFile: string): ResolvedProfile {
  try {
    return resolveProfile(nameOrFile)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`)
    process.stderr.write(`netsim: cannot use profile ${nameOrFile}\n`)
    process.exit(1)
  }
}

async function runProxy(opts: NetsimOptions): Promise<void> {
  // Handlers first: a signal during start-up still means a clean stop.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('interrupted'))
    process.once('SIGTERM', () => resolve('terminated'))
  })
  const profile = profileOrExit(opts.profile)
  const proxy = await NetsimProxy.start({
    target: opts.target,
    host: opts.host,
    port: opts.port,
    profile: profile.name,
    conditions: profile.conditions,
    seed: opts.seed,
    history: opts.history,
    payloads: opts.recordBytes
  })
  const http = proxy.url.replace(/^ws:/, 'http:')
  process.stderr.write(`netsim: proxying ${proxy.url} -> ${proxy.target}\n`)
  process.stderr.write(`netsim: profile ${profile.name}: ${describeConditions(profile.conditions)}; seed ${proxy.seed}\n`)
  process.stderr.write(`netsim: control at ${http}/netsim/ (conditions, stats, recording); Ctrl+C stops\n`)
  if (opts.record && opts.history === 0) process.stderr.write('netsim: --history 0 records nothing, so --record will write an empty history\n')

  const timer = opts.statsInterval ? setInterval(() => process.stderr.write(`${formatStats(proxy.statsJson())}\n\n`), opts.statsInterval * 1000) : null
  const outcome = await stopSignal
  if (timer) clearInterval(timer)
  await proxy.stop()
  const stats = proxy.statsJson()
  process.stdout.write(`${formatStats(stats)}\n`)
  if (opts.record) {
    const recording = proxy.recordingJson()
    saveRecording(opts.record, recording)
    process.stderr.write(`netsim: wrote ${recording.messages.length} messages to ${opts.record}\n`)
  }
  if (opts.statsJson) {
    writeFileSync(opts.statsJson, `${JSON.stringify(stats, null, 1)}\n`)
    process.stderr.write(`netsim: wrote statistics to ${opts.statsJson}\n`)
  }
  process.stderr.write(`netsim: ${outcome}, stopped cleanly\n`)
}

function inspect(file: string, opts: { json: boolean }): void {
  let recording
  try {
    recording = loadRecording(file)
  } catch (error) {
    process.stderr.write(`netsim inspect: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(recording.messages, null, 1)}\n`)
  else process.stdout.write(`${summarizeRecording(recording)}\n`)
}

/** Registers `netsim` (and `netsim inspect`) on the hermes program. */
export function addNetsimCommand(program: Command): void {
  const netsim = program
    .command('netsim')
    .description('WebSocket proxy that simulates a network link (latency, jitter, loss, disconnects, bandwidth), records and checks every message')
    .option('--target <url>', 'the Hermes server to proxy to', 'ws://127.0.0.1:8765')
    .option('--host <host>', 'address the proxy binds', '127.0.0.1')
    .option('--port <port>', 'port clients connect to (0 picks a free one)', integer('--port', 0, 65535), 9765)
    .option('--profile <name|file>', `link conditions: ${PROFILE_NAMES.join(', ')}, or a YAML profile file`, 'default')
    .option('--seed <n>', 'seed for loss, jitter and disconnects, to repeat a run (random when not given)', integer('--seed', 0, 2 ** 32 - 1))
    .option('--record <file>', 'write the message history to this JSON file at exit')
    .option('--record-bytes', "keep binary messages' bytes (base64) in the history", false)
    .option('--history <n>', 'messages kept in the history ring (0 records nothing)', integer('--history', 0, 10_000_000), 10_000)
    .option('--stats-interval <seconds>', 'print the statistics table this often', positive('--stats-interval'))
    .option('--stats-json <file>', 'write the statistics as JSON to this file at exit')
    .action((opts: NetsimOptions) => runProxy(opts))
  netsim
    .command('inspect')
    .description('summarise a recording: messages per direction and type, losses, errors')
    .argument('<file>', 'a recording written by --record or GET /netsim/recording')
    .option('--json', 'print the recorded messages as JSON instead of the summary', false)
    .action(inspect)
}
