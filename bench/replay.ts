// `npm run bench -- recording`'s replay row: from spawning `hermes replay FILE` (the CLI, as a user runs
// it) to the first telemetry frame at a client, on the bench's one-hour 1 kHz 100-signal recording.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { printTable } from './table'
import { Replay } from '../src/main/engine/replay/replay'

const ROOT = join(__dirname, '..')
const n = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Spawns the replay, waits for its port, subscribes to everything and times the first HERT frame. */
async function firstFrame(file: string): Promise<{ listeningMs: number; firstFrameMs: number; frame: bigint }> {
  const start = performance.now()
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'hermes.cjs'), 'replay', file, '--port', '0'], { cwd: ROOT, env: { ...process.env, HERMES_LOG: 'warn' } })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = ''
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        const m = /serving ws:\/\/127\.0\.0\.1:(\d+)/.exec(output)
        if (m) resolve(Number(m[1]))
      }
      child.stderr.on('data', onData)
      child.stdout.on('data', onData)
      child.once('exit', (code) => reject(new Error(`hermes replay exited with ${code}: ${output}`)))
    })
    const listeningMs = performance.now() - start
    const socket = new WebSocket(`ws://127.0.0.1:${port}`)
    const frame = await new Promise<bigint>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ action: 'subscribe', params: { signals: ['*'] } })))
      socket.on('message', (data: Buffer, binary: boolean) => {
        if (binary) resolve(data.readBigUInt64LE(4))
      })
      socket.once('error', reject)
    })
    const firstFrameMs = performance.now() - start
    socket.terminate()
    return { listeningMs, firstFrameMs, frame }
  } finally {
    child.kill('SIGTERM')
  }
}

/** `hermes --version`: what starting the CLI costs before it reads anything (Node and the built CLI's imports). */
async function cliStartMs(): Promise<number> {
  const start = performance.now()
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'hermes.cjs'), '--version'], { cwd: ROOT })
  await new Promise((resolve) => child.once('exit', resolve))
  return performance.now() - start
}

export async function replayStartBench(file: string, seconds: number): Promise<void> {
  // Not timed: the binary builds itself first when the sources are newer than the build.
  await cliStartMs()
  const runs = [await firstFrame(file), await firstFrame(file)]
  const base = [await cliStartMs(), await cliStartMs()]
  // In process, without the CLI's start: open the file, find its segments, read the first frame.
  const openStart = performance.now()
  const replay = await Replay.open(file, { host: '127.0.0.1', port: 0, paused: true })
  const first = await replay.scheduler.snapshot()
  const openMs = performance.now() - openStart
  await replay.stop()
  printTable(
    `Replay start: \`hermes replay\` of the ${n(seconds)} s, 1 kHz, 100-signal recording, from spawning the CLI to the first telemetry frame at a client (2 runs)`,
    ['run', 'CLI listening', 'first frame at the client', 'target', '', 'frame', 'of which CLI start (hermes --version)'],
    [
      ...runs.map((r, i) => [String(i + 1), `${n(r.listeningMs)} ms`, `${n(r.firstFrameMs)} ms`, '< 1000 ms', r.firstFrameMs < 1000 ? 'met' : 'MISSED', String(r.frame), `${n(base[i]!)} ms`]),
      ['in process: Replay.open + first frame', '-', `${n(openMs, 1)} ms`, '< 1000 ms', openMs < 1000 ? 'met' : 'MISSED', String(first.frame), '-']
    ]
  )
}
