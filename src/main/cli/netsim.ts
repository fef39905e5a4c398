// `hermes netsim`: the network-simulating proxy, and `hermes netsim inspect` for the recordings it writes.
import { accessSync, constants, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { ConfigError, formatIssue } from '../engine/config/issues'
import { describeConditions, PROFILE_NAMES } from '../netsim/conditions'
import type { ResolvedProfile } from '../netsim/profileFile'
import { DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_MESSAGE_BYTES } from '../netsim/recording'

// The proxy (ws, its HTTP control) and the report load only when a netsim command runs: every other
// command starts without them.
const proxyModule = () => import('../netsim/proxy')
const recordingModule = () => import('../netsim/recording')
const reportModule = () => import('../netsim/report')

interface NetsimOptions {
  target: string
  host: string
  port: number
  profile: string
  seed?: number
  record?: string
  recordBytes: boolean
  history: number
  historyBytes: number
  historyMessageBytes: number
  allowedHost: string[]
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

async function profileOrExit(nameOrFile: string): Promise<ResolvedProfile> {
  const { resolveProfile } = await import('../netsim/profileFile')
  try {
    return resolveProfile(nameOrFile)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`)
    process.stderr.write(`netsim: cannot use profile ${nameOrFile}\n`)
    process.exit(1)
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** Fails at start, not at exit after the whole run, when the recording could not be written. */
function checkWritable(flag: string, file: string): void {
  try {
    accessSync(dirname(resolve(file)), constants.W_OK)
  } catch {
    process.stderr.write(`netsim: ${flag} ${file}: the folder ${dirname(resolve(file))} does not exist or is not writable\n`)
    process.exit(1)
  }
}

async function runProxy(opts: NetsimOptions): Promise<void> {
  // Handlers first: a signal during start-up still means a clean stop.
  // A second signal while stopping would end the process before the recording is written: it is only
  // noted; a third one quits at once.
  let signals = 0
  const stopSignal = new Promise<string>((resolve) => {
    const onSignal = (name: string) => (): void => {
      signals++
      if (signals === 1) return resolve(name)
      if (signals === 2) process.stderr.write('netsim: still stopping (writing what was asked for); signal again to quit without it\n')
      else process.exit(130)
    }
    process.on('SIGINT', onSignal('interrupted'))
    process.on('SIGTERM', onSignal('terminated'))
  })
  const profile = await profileOrExit(opts.profile)
  const [{ NetsimProxy }, { writeChunks }, { formatStats }] = await Promise.all([proxyModule(), recordingModule(), reportModule()])
  if (opts.record) checkWritable('--record', opts.record)
  if (opts.statsJson) checkWritable('--stats-json', opts.statsJson)
  const proxy = await NetsimProxy.start({
    target: opts.target,
    host: opts.host,
    port: opts.port,
    profile: profile.name,
    conditions: profile.conditions,
    seed: opts.seed,
    history: opts.history,
    historyBytes: opts.historyBytes,
    historyMessageBytes: opts.historyMessageBytes,
    allowedHosts: opts.allowedHost,
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
  let failed = false
  if (opts.record) {
    // Streamed to the file, one message at a time: a history of any size is written whole.
    try {
      const bytes = writeChunks(opts.record, proxy.recordingChunks())
      process.stderr.write(`netsim: wrote ${proxy.recorder.messages.length} messages (${bytes} bytes) to ${opts.record}\n`)
    } catch (error) {
      failed = true
      process.stderr.write(`netsim: could not write the recording to ${opts.record}: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
  if (opts.statsJson) {
    writeFileSync(opts.statsJson, `${JSON.stringify(stats, null, 1)}\n`)
    process.stderr.write(`netsim: wrote statistics to ${opts.statsJson}\n`)
  }
  if (failed) process.exit(1)
  process.stderr.write(`netsim: ${outcome}, stopped cleanly\n`)
}

async function inspect(file: string, opts: { json: boolean }): Promise<void> {
  const [{ loadRecording }, { summarizeRecording }] = await Promise.all([recordingModule(), reportModule()])
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
    .option('--history-bytes <n>', 'most bytes (as JSON) the history keeps; the oldest messages go first', integer('--history-bytes', 1024, 2 ** 32), DEFAULT_HISTORY_BYTES)
    .option('--history-message-bytes <n>', "most of one message's payload kept in the history (longer ones are kept truncated)", integer('--history-message-bytes', 0, 2 ** 30), DEFAULT_HISTORY_MESSAGE_BYTES)
    .option('--allowed-host <name>', 'also accept this Host header name (repeatable; * accepts any), besides localhost and the bound address', collect, [])
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
