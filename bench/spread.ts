// The harness of the multi-process benchmarks: an engine and server in one child process
// (fanoutServer.ts), its clients spread over other child processes (clientProcess.ts), and this
// process only counting. With `bare`, the same bytes go from a bare TCP server to bare TCP clients
// (bareTcpServer.ts, bareTcpClients.ts): the machine's floor for the same fan-out. Returns what was published (frame and time of each tick), what every client
// received and when, the skips the server counted, and the server process's CPU.
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { HermesClient } from '../src/shared/client/hermesClient'
import type { FromClients, ToClients } from './clientProcess'

export interface SpreadCase {
  signals: number
  clients: number
  /** Client processes the clients are spread over (as evenly as they go). */
  processes: number
  telemetryHz: number
  /** The run's rate_hz (realtime). */
  rateHz: number
  seconds: number
  /** The floor: no engine, no WebSocket, no lag probes (bareTcpServer.ts); nothing is skipped there. */
  bare?: boolean
}

export interface SpreadResult {
  /** Frame number -> wall time (ms, µs resolution) of its publication, the latest when a frame went twice. */
  published: Map<number, number>
  /** Ticks published while measuring. */
  ticks: number
  /** Every receipt: frame number and wall time (ms), all clients together. */
  frames: Float64Array
  at: Float64Array
  /** Frames each client received. */
  perClient: number[]
  skipped: number
  serverCpuPercent: number
  /** The server process's CPU over the measurement (µs), the ticks it sent and the client-frames it wrote. */
  serverCpuUs: number
  /** The server's main thread alone (its event loop: the send path), µs; NaN where Linux's schedstat is missing. */
  serverMainUs: number
  serverTicks: number
  serverSent: number
  /** Each tick's send loop, snapshot to last write returning (ms), sorted. */
  sendMs: Float64Array
  /** CPU of all client processes together over the measurement (µs). */
  clientCpuUs: number
}

type ServerMessage = { kind: 'ready'; port: number } | { kind: 'published'; frame: number; at: number } | { kind: 'cpu'; percent: number; cpuUs: number; mainUs: number; ticks: number; sent: number; sendMs: Float64Array }

const options = { execArgv: ['--import', 'tsx'], env: { ...process.env, HERMES_LOG: 'warn' }, serialization: 'advanced' as const }

function nextMessage<T extends { kind: string }, K extends T['kind']>(child: ChildProcess, kind: K): Promise<Extract<T, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      if (m.kind !== kind) return
      child.off('message', onMessage)
      resolve(m as Extract<T, { kind: K }>)
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`a benchmark child exited (${code}) before '${kind}'`)))
  })
}

export async function runSpread(c: SpreadCase): Promise<SpreadResult> {
  const server = fork(join(__dirname, c.bare ? 'bareTcpServer.ts' : 'fanoutServer.ts'), [String(c.signals), String(c.telemetryHz), String(c.rateHz)], options)
  const published = new Map<number, number>()
  let measuring = false
  let ticks = 0
  server.on('message', (m: ServerMessage) => {
    if (m.kind !== 'published') return
    published.set(m.frame, m.at)
    if (measuring) ticks++
  })
  const { port } = await nextMessage<ServerMessage, 'ready'>(server, 'ready')
  const url = `ws://127.0.0.1:${port}`
  const children: ChildProcess[] = []
  for (let p = 0; p < c.processes; p++) {
    const count = Math.floor(c.clients / c.processes) + (p < c.clients % c.processes ? 1 : 0)
    if (count === 0) continue
    const capacity = count * c.telemetryHz * (c.seconds + 2)
    children.push(fork(join(__dirname, c.bare ? 'bareTcpClients.ts' : 'clientProcess.ts'), [url, String(count), String(capacity)], options))
  }
  await Promise.all(children.map((child) => nextMessage<FromClients, 'ready'>(child, 'ready')))
  // Every client subscribed and warmed up before measuring.
  await new Promise((r) => setTimeout(r, 1000))
  const probe = c.bare ? null : await HermesClient.connect(url, { WebSocket: WebSocket as never, hello: false })
  const skippedBefore = probe ? (await probe.status()).skipped_frames_total : 0
  const receipts = children.map((child) => nextMessage<FromClients, 'receipts'>(child, 'receipts'))
  for (const child of children) child.send({ kind: 'start' } satisfies ToClients)
  server.send({ kind: 'cpu-start' })
  measuring = true
  await new Promise((r) => setTimeout(r, c.seconds * 1000))
  measuring = false
  for (const child of children) child.send({ kind: 'stop' } satisfies ToClients)
  server.send({ kind: 'cpu-stop' })
  const cpu = await nextMessage<ServerMessage, 'cpu'>(server, 'cpu')
  const got = await Promise.all(receipts)
  const skipped = probe ? (await probe.status()).skipped_frames_total - skippedBefore : 0
  probe?.close()
  server.send({ kind: 'stop' })
  await Promise.all([server, ...children].map((child) => (child.exitCode !== null ? null : new Promise((r) => child.once('exit', r)))))
  const total = got.reduce((n, g) => n + g.frames.length, 0)
  const frames = new Float64Array(total)
  const at = new Float64Array(total)
  let offset = 0
  for (const g of got) {
    frames.set(g.frames, offset)
    at.set(g.at, offset)
    offset += g.frames.length
  }
  return {
    published,
    ticks,
    frames,
    at,
    perClient: got.flatMap((g) => g.perClient),
    skipped,
    serverCpuPercent: cpu.percent,
    serverCpuUs: cpu.cpuUs,
    serverMainUs: cpu.mainUs,
    serverTicks: cpu.ticks,
    serverSent: cpu.sent,
    sendMs: cpu.sendMs,
    clientCpuUs: got.reduce((n, g) => n + g.cpuUs, 0)
  }
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Receipt time minus publication time of each received frame, sorted (ms). */
export function latencies(r: SpreadResult): Float64Array {
  const out = new Float64Array(r.frames.length)
  let n = 0
  for (let i = 0; i < r.frames.length; i++) {
    const sent = r.published.get(r.frames[i]!)
    if (sent !== undefined) out[n++] = r.at[i]! - sent
  }
  return out.subarray(0, n).sort()
}
