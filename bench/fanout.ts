// Fan-out benchmark: signals x clients x rate on loopback; frames skipped, server CPU, and latency from
// a frame's publication by the server to its receipt by each client (both on the wall clock at µs
// resolution). The server has its own process; the clients are spread over one or several processes
// (bench/spread.ts), since one process hosting 100 clients measures its own event loop as much as the server.
import { readFileSync } from 'node:fs'
import { latencies, percentile, runSpread, type SpreadResult } from './spread'
import { printTable } from './table'

interface Case {
  signals: number
  clients: number
  processes: number
  hz: number
  seconds: number
  target: string
  /** The floor row: the same bytes over bare TCP (spread.ts). */
  bare?: boolean
}

/** What the server controls, apart from the machine's load: CPU per tick and per client-frame, and its send loop. */
export function serverWork(r: SpreadResult, seconds: number): string[] {
  return [
    r.serverTicks > 0 ? (r.serverMainUs / r.serverTicks).toFixed(0) : '-',
    r.serverSent > 0 ? (r.serverMainUs / r.serverSent).toFixed(1) : '-',
    `${percentile(r.sendMs, 0.5).toFixed(2)} / ${percentile(r.sendMs, 0.99).toFixed(2)}`,
    `${((r.clientCpuUs / (seconds * 1e6)) * 100).toFixed(0)} %`
  ]
}

async function runCase(c: Case): Promise<string[]> {
  const r = await runSpread({ signals: c.signals, clients: c.clients, processes: c.processes, telemetryHz: c.hz, rateHz: 120, seconds: c.seconds, bare: c.bare ?? false })
  const sorted = latencies(r)
  const expected = c.clients * c.hz * c.seconds
  const p99 = percentile(sorted, 0.99)
  const met = r.skipped === 0 && p99 < 5 ? 'met' : 'MISSED'
  return [
    c.bare ? `${c.signals}, bare TCP` : String(c.signals),
    String(c.clients),
    String(c.processes),
    String(c.hz),
    `${r.frames.length.toLocaleString('en-US')} / ${expected.toLocaleString('en-US')}`,
    c.bare ? '-' : String(r.skipped),
    `${r.serverCpuPercent.toFixed(0)} %`,
    ...serverWork(r, c.seconds),
    percentile(sorted, 0.5).toFixed(2),
    p99.toFixed(2),
    c.target,
    c.target ? met : ''
  ]
}

export async function fanoutBench(): Promise<void> {
  const cases: Case[] = [
    { signals: 100, clients: 10, processes: 1, hz: 60, seconds: 5, target: '' },
    { signals: 1000, clients: 100, processes: 1, hz: 60, seconds: 5, target: 'no skips, p99 < 5 ms' },
    { signals: 1000, clients: 100, processes: 4, hz: 60, seconds: 5, target: 'no skips, p99 < 5 ms' },
    // The floor of the row above: its bytes written by a bare Node TCP server to bare TCP readers.
    { signals: 1000, clients: 100, processes: 4, hz: 60, seconds: 5, target: '', bare: true },
    { signals: 10_000, clients: 10, processes: 2, hz: 60, seconds: 5, target: 'no skips, p99 < 5 ms' }
  ]
  const rows: string[][] = []
  for (const c of cases) rows.push(await runCase(c))
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
  printTable(
    `Fan-out on loopback (server in its own process, clients spread over client processes, all subscribed to every signal; wall clock, load average ${load}; µs: CPU of the server's main thread (the event loop; server CPU is the whole process, engine threads included), send loop: snapshot to last write; client CPU: all client processes; "bare TCP": the row above's bytes from a bare Node TCP server to bare TCP readers, no engine, no WebSocket library, no lag probes: the machine's floor for that fan-out)`,
    ['signals', 'clients', 'client processes', 'Hz', 'frames received / sent', 'skipped', 'server CPU', 'main µs/tick', 'µs/client-frame', 'send loop p50 / p99 ms', 'client CPU', 'latency p50 ms', 'p99 ms', 'target', ''],
    rows
  )
}
