// Fan-out benchmark: signals x clients x rate on loopback; frames skipped, server CPU, and latency from
// a frame's publication by the server to its receipt by each client (both on the wall clock at µs resolution).
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { HERT_MAGIC } from '../src/shared/protocol/hert'
import { HermesClient } from '../src/shared/client/hermesClient'
import { printTable } from './table'

interface Case {
  signals: number
  clients: number
  hz: number
  seconds: number
  target: string
}

type ChildMessage = { kind: 'ready'; port: number } | { kind: 'published'; frame: number; at: number } | { kind: 'cpu'; percent: number }

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function runCase(c: Case): Promise<string[]> {
  const child: ChildProcess = fork(join(__dirname, 'fanoutServer.ts'), [String(c.signals), String(c.hz)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, HERMES_LOG: 'warn' }
  })
  const published = new Map<number, number>()
  const messages: ((m: ChildMessage) => void)[] = []
  child.on('message', (m: ChildMessage) => {
    if (m.kind === 'published') published.set(m.frame, m.at)
    for (const listener of messages) listener(m)
  })
  const next = <K extends ChildMessage['kind']>(kind: K): Promise<Extract<ChildMessage, { kind: K }>> =>
    new Promise((resolve) => {
      const listener = (m: ChildMessage): void => {
        if (m.kind !== kind) return
        messages.splice(messages.indexOf(listener), 1)
        resolve(m as Extract<ChildMessage, { kind: K }>)
      }
      messages.push(listener)
    })
  const { port } = await next('ready')
  const url = `ws://127.0.0.1:${port}`

  // Preallocated: the receiving loop allocates nothing per frame, so its own GC stays out of the latency.
  const capacity = c.clients * c.hz * (c.seconds + 2)
  const receiptFrame = new Float64Array(capacity)
  const receiptAt = new Float64Array(capacity)
  let receipts = 0
  let measuring = false
  let frames = 0
  const sockets = await Promise.all(
    Array.from({ length: c.clients }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          const text = data.toString()
          if (text.includes('"schema"')) ws.send(JSON.stringify({ action: 'subscribe', params: { signals: ['*'] } }))
          return
        }
        if (!measuring) return
        const at = performance.timeOrigin + performance.now()
        // Receipt is what is measured: read the header in place instead of decoding every value, so the
        // bench process (which hosts every client) adds as little as it can to the latency it measures.
        if (data.readUInt32LE(0) !== HERT_MAGIC || data.readUInt32LE(20) !== c.signals) throw new Error('unexpected frame')
        frames++
        if (receipts < capacity) {
          receiptFrame[receipts] = Number(data.readBigUInt64LE(4))
          receiptAt[receipts++] = at
        }
      })
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
    }))
  )
  await new Promise((r) => setTimeout(r, 1000))
  const probe = await HermesClient.connect(url, { WebSocket: WebSocket as never, hello: false })
  const skippedBefore = (await probe.status()).skipped_frames_total
  measuring = true
  child.send({ kind: 'cpu-start' })
  await new Promise((r) => setTimeout(r, c.seconds * 1000))
  measuring = false
  child.send({ kind: 'cpu-stop' })
  const { percent } = await next('cpu')
  const skipped = (await probe.status()).skipped_frames_total - skippedBefore
  probe.close()
  for (const ws of sockets) ws.terminate()
  child.send({ kind: 'stop' })
  await new Promise((r) => child.once('exit', r))

  const latencies = new Float64Array(receipts)
  let n = 0
  for (let i = 0; i < receipts; i++) {
    const sent = published.get(receiptFrame[i]!)
    if (sent !== undefined) latencies[n++] = receiptAt[i]! - sent
  }
  const sorted = latencies.subarray(0, n).sort()
  const expected = c.clients * c.hz * c.seconds
  const p99 = percentile(sorted, 0.99)
  const met = skipped === 0 && p99 < 5 ? 'met' : 'MISSED'
  return [
    String(c.signals),
    String(c.clients),
    String(c.hz),
    `${frames.toLocaleString('en-US')} / ${expected.toLocaleString('en-US')}`,
    String(skipped),
    `${percent.toFixed(0)} %`,
    percentile(sorted, 0.5).toFixed(2),
    p99.toFixed(2),
    c.target,
    c.target ? met : ''
  ]
}

export async function fanoutBench(): Promise<void> {
  const cases: Case[] = [
    { signals: 100, clients: 10, hz: 60, seconds: 5, target: '' },
    { signals: 1000, clients: 100, hz: 60, seconds: 5, target: 'no skips, p99 < 5 ms' },
    { signals: 10_000, clients: 10, hz: 60, seconds: 5, target: 'no skips, p99 < 5 ms' }
  ]
  const rows: string[][] = []
  for (const c of cases) rows.push(await runCase(c))
  printTable(
    'Fan-out on loopback (server in its own process; clients in the bench process, all subscribed to every signal)',
    ['signals', 'clients', 'Hz', 'frames received / sent', 'skipped', 'server CPU', 'latency p50 ms', 'p99 ms', 'target', ''],
    rows
  )
}
