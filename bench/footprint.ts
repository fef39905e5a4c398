// Footprint: RSS and CPU of the demo's engine process (the built CLI, realtime at 100 Hz, telemetry at
// 60 Hz) idle with no client and with one client subscribed to every signal; targets from issue 16.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RawClient } from '../src/main/engine/server/testing'
import { printTable } from './table'

const ROOT = join(__dirname, '..')
const PORT = Number(process.env.BENCH_PORT) || 21_765
const SECONDS = 10
/** The recording case goes on this long with its client: the engine's heap and the recorder's memory settle. */
const SETTLE_S = Number(process.env.BENCH_FOOTPRINT_SETTLE_S ?? 180)
const TARGET_RSS_MB = 80
/** The Python Hermes on the same configuration with one client (issue 16). */
const TARGET_CORES = 0.19

function stat(pid: number): { cpu: number; rssMb: number; threads: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, rssMb: kb / 1024, threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0) }
}

async function cores(pid: number): Promise<{ cores: number; rssMb: number; threads: number }> {
  const a = stat(pid)
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, SECONDS * 1000))
  const b = stat(pid)
  return { cores: (b.cpu - a.cpu) / ((performance.now() - t0) / 1000), rssMb: b.rssMb, threads: b.threads }
}

export async function footprintBench(): Promise<void> {
  const rows: string[][] = []
  // As served by default (recording into ./runs, a thread of its own), then without the recorder.
  for (const extra of [[], ['--no-record']]) rows.push(...(await measure(extra)))
  printTable(`Footprint of the demo's engine process over ${SECONDS} s per case (node bin/hermes.cjs run)`, ['case', 'threads', 'RSS MB', 'cores', 'target', ''], rows)
}

async function measure(extra: string[]): Promise<string[][]> {
  const label = extra.length > 0 ? ` (${extra.join(' ')})` : ' (recording)'
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'hermes.cjs'), 'run', '--port', String(PORT), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const onData = (d: Buffer): void => {
        out += d.toString()
        if (out.includes('Ctrl+C stops')) resolve()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', (code) => reject(new Error(`hermes exited ${code}: ${out}`)))
    })
    const pid = child.pid!
    const rows: string[][] = []
    const quiet = await cores(pid)
    rows.push([`no client${label}`, quiet.threads.toString(), quiet.rssMb.toFixed(1), quiet.cores.toFixed(3), '', ''])
    const client = await RawClient.open(`ws://127.0.0.1:${PORT}`)
    await client.json()
    client.send({ action: 'subscribe', params: { signals: ['*'] } })
    await client.json()
    await client.frame()
    const one = await cores(pid)
    rows.push([
      `one client, every signal at 60 Hz${label}`,
      one.threads.toString(),
      one.rssMb.toFixed(1),
      one.cores.toFixed(3),
      `< ${TARGET_RSS_MB} MB, <= ${TARGET_CORES} core`,
      one.rssMb < TARGET_RSS_MB && one.cores <= TARGET_CORES ? 'met' : 'MISSED'
    ])
    if (extra.length === 0 && SETTLE_S > SECONDS) {
      await new Promise((r) => setTimeout(r, (SETTLE_S - 2 * SECONDS) * 1000))
      const settled = await cores(pid)
      rows.push([
        `same, after ${SETTLE_S} s${label}`,
        settled.threads.toString(),
        settled.rssMb.toFixed(1),
        settled.cores.toFixed(3),
        `< ${TARGET_RSS_MB} MB, <= ${TARGET_CORES} core`,
        settled.rssMb < TARGET_RSS_MB && settled.cores <= TARGET_CORES ? 'met' : 'MISSED'
      ])
    }
    client.socket.terminate()
    return rows
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGINT')
      await exited
    }
  }
}
