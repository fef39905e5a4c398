// `hermes replay FILE`: serves a recording over the same port and protocol as a live run, with the console.
import { InvalidArgumentError, type Command } from 'commander'
// The server and the replay (ws, the MCAP reader) load only when this command runs (docs/architecture.md, start-up).
import type { HermesServer } from '../engine/server/server'
import type { Replay } from '../engine/replay/replay'
import { MAX_SPEED, MIN_SPEED } from '../engine/server/commands'
import type { ReplaySpeed } from '../../shared/protocol/messages'
import { RENDERER_DIR } from '../paths'
import { version } from '../../../package.json'

interface ReplayCliOptions {
  port: number
  host: string
  speed: ReplaySpeed
  paused: boolean
}

const speedArg = (value: string): ReplaySpeed => {
  if (value === 'afap') return 'afap'
  const n = Number(value)
  if (!Number.isFinite(n) || n < MIN_SPEED || n > MAX_SPEED) throw new InvalidArgumentError(`--speed expects a factor from ${MIN_SPEED} to ${MAX_SPEED} or 'afap', got '${value}'`)
  return n
}

const portArg = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port expects an integer from 0 to 65535, got '${value}'`)
  return n
}

async function replay(file: string, opts: ReplayCliOptions): Promise<void> {
  const [{ Replay }, { HermesServer }] = await Promise.all([import('../engine/replay/replay'), import('../engine/server/server')])
  let run: Replay
  try {
    run = await Replay.open(file, { host: opts.host, port: opts.port, speed: opts.speed, paused: opts.paused })
  } catch (error) {
    process.stderr.write(`hermes: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  const { telemetryHz, allowedOrigins, allowedHosts } = run.config.server
  let server: HermesServer
  try {
    server = await HermesServer.start({ host: opts.host, port: opts.port, telemetryHz, allowedOrigins, allowedHosts, staticDir: RENDERER_DIR, serverName: `hermes-console/${version}` })
  } catch (error) {
    await run.stop()
    throw error
  }
  server.bind(run)
  const info = run.replay.info()
  const segments = info.segments > 1 ? `, ${info.segments} segments (recorded resets)` : ''
  process.stderr.write(`hermes: console at http://${server.url.slice('ws://'.length)}/ ; serving ${server.url} for any client\n`)
  process.stderr.write(`hermes: replaying ${file} (${info.to.toFixed(3)} s${segments}) at ${opts.speed === 'afap' ? 'afap' : `${opts.speed}x`}${opts.paused ? ', paused' : ''}; Ctrl+C stops\n`)
  const outcome = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('interrupted'))
    process.once('SIGTERM', () => resolve('terminated'))
  })
  await server.stop()
  await run.stop()
  process.stderr.write(`hermes: ${outcome}, stopped cleanly\n`)
}

export function addReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('serve a recording as a run, over the same port and protocol (and the console): pause, step, reset, seek, speed')
    .argument('<recording>', 'a .mcap recording (hermes run --record)')
    .option('--port <port>', 'server port (0 picks a free one)', portArg, 8765)
    .option('--host <host>', 'server bind address', '127.0.0.1')
    .option('--speed <factor>', `playback speed: a factor of real time from ${MIN_SPEED} to ${MAX_SPEED}, or afap`, speedArg, 1)
    .option('--paused', 'start paused on the first frame', false)
    .action(replay)
}
