// Frame age at the receiver: 100 subscribers at 1000 Hz, spread over client processes, each frame's
// receipt time minus its publication time. The bound (issue 16) is two telemetry periods and at least
// 50 ms: a client that falls behind is sent the newest frame, and the frames it skipped are counted.
import { latencies, percentile, runSpread } from './spread'
import { serverWork } from './fanout'
import { printTable } from './table'

const BOUND_MS = Math.max(50, 2 * (1000 / 1000))

export async function frameAgeBench(): Promise<void> {
  const rows: string[][] = []
  for (const processes of [1, 4]) {
    const seconds = 5
    const r = await runSpread({ signals: 100, clients: 100, processes, telemetryHz: 1000, rateHz: 1000, seconds })
    const ages = latencies(r)
    const max = ages.length > 0 ? ages[ages.length - 1]! : NaN
    rows.push([
      '100',
      String(processes),
      `${(r.ticks / seconds).toFixed(0)}/s`,
      `${(r.frames.length / seconds / 100).toFixed(0)}/s`,
      String(r.skipped),
      ...serverWork(r, seconds),
      percentile(ages, 0.5).toFixed(2),
      percentile(ages, 0.99).toFixed(2),
      max.toFixed(2),
      `${BOUND_MS} ms`,
      max <= BOUND_MS ? 'met' : 'MISSED'
    ])
  }
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
  printTable(
    `Frame age at the receiver, 1000 Hz, 100 signals, ${'100'} subscribers (wall clock; load average ${load})`,
    ['subscribers', 'client processes', 'ticks sent', 'received per client', 'skipped', 'server main µs/tick', 'µs/client-frame', 'send loop p50 / p99 ms', 'client CPU', 'age p50 ms', 'p99 ms', 'max ms', 'bound', ''],
    rows
  )
}
