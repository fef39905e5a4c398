// Text tables for people: the proxy's statistics, and the summary of a recording (`netsim inspect`).
import { compact, table } from '../cli/format'
import { describeConditions, DIRECTIONS, type Direction } from './conditions'
import type { ProxyStatsJson } from './proxy'
import type { RecordingFile } from './recording'

const ARROW: Record<Direction, string> = { client_to_server: 'client->server', server_to_client: 'server->client' }

const ms = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)} ms`)

export function formatStats(s: ProxyStatsJson): string {
  const head = [
    `netsim ${s.listen} -> ${s.target}: up ${s.uptime_s.toFixed(1)} s, profile ${s.profile} (${s.conditions}), seed ${s.seed}`,
    `connections ${s.connections.total} (${s.connections.open} open, ${s.connections.refused} refused); disconnections: ${s.disconnections.client} by client, ${s.disconnections.target} by target, ${s.disconnections.forced} forced, ${s.disconnections.shutdown} at shutdown`
  ]
  const rows = DIRECTIONS.map((d) => {
    const x = s[d]
    return [ARROW[d], compact(x.messages), compact(x.bytes), compact(x.delivered), compact(x.dropped), compact(x.overflow), compact(x.discarded + x.in_flight), compact(x.validation_errors), ms(x.latency_added_ms.mean), ms(x.latency_added_ms.p99)]
  })
  const body = table(['DIRECTION', 'MESSAGES', 'BYTES', 'DELIVERED', 'DROPPED', 'OVERFLOW', 'UNDELIVERED', 'INVALID', 'ADDED MEAN', 'ADDED P99'], rows)
  const errors = s.recent_errors.length > 0 ? ['', 'recent validation errors:', ...s.recent_errors.map((e) => `  ${(e.t_ms / 1000).toFixed(3)} s  client ${e.client}  ${ARROW[e.direction]}  ${e.error}`)] : []
  return [...head, '', body, ...errors].join('\n')
}

/** How many error lines `inspect` prints before it only counts them. */
const MAX_ERROR_LINES = 50

export function summarizeRecording(r: RecordingFile): string {
  const groups = new Map<string, { direction: Direction; label: string; messages: number; bytes: number; delivered: number; lost: number; invalid: number }>()
  for (const m of r.messages) {
    const key = `${m.direction} ${m.label}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { direction: m.direction, label: m.label, messages: 0, bytes: 0, delivered: 0, lost: 0, invalid: 0 }))
    g.messages++
    g.bytes += m.bytes
    if (m.fate === 'delivered') g.delivered++
    else if (m.fate !== 'in_flight') g.lost++
    if (m.error !== undefined) g.invalid++
  }
  const sorted = [...groups.values()].sort((a, b) => a.direction.localeCompare(b.direction) || b.messages - a.messages)
  const rows: string[][] = []
  for (const d of DIRECTIONS) {
    const mine = sorted.filter((g) => g.direction === d)
    for (const g of mine) rows.push([ARROW[d], g.label, ...[g.messages, g.bytes, g.delivered, g.lost, g.invalid].map(compact)])
    const sum = (pick: (g: (typeof mine)[number]) => number): number => mine.reduce((n, g) => n + pick(g), 0)
    if (mine.length > 1) rows.push([ARROW[d], '(all)', ...[sum((g) => g.messages), sum((g) => g.bytes), sum((g) => g.delivered), sum((g) => g.lost), sum((g) => g.invalid)].map(compact)])
  }
  const span = r.messages.length > 0 ? `${((r.messages[r.messages.length - 1]!.t_ms - r.messages[0]!.t_ms) / 1000).toFixed(3)} s` : '0 s'
  const clients = new Set(r.messages.map((m) => m.client))
  const closes = r.connections.filter((e) => e.event === 'close')
  const by = (cause: string): number => closes.filter((e) => e.by === cause).length
  const head = [
    `recording of ${r.target} (profile ${r.profile}: ${describeConditions(r.conditions)}), started ${r.started_at}, exported ${r.exported_at}`,
    `${r.messages.length} messages over ${span} from ${clients.size} client${clients.size === 1 ? '' : 's'}${r.evicted > 0 ? ` (the newest of ${r.recorded}: ${r.evicted} older ones fell out of the history, ${r.capacity} messages${r.max_bytes !== undefined ? ` or ${compact(r.max_bytes)} bytes` : ''} at most)` : ''}`,
    `connections: ${r.connections.filter((e) => e.event === 'open').length} opened, ${r.connections.filter((e) => e.event === 'refused').length} refused; closed ${by('client')} by client, ${by('target')} by target, ${by('forced')} forced, ${by('shutdown')} at shutdown`
  ]
  const body = rows.length > 0 ? table(['DIRECTION', 'TYPE', 'MESSAGES', 'BYTES', 'DELIVERED', 'LOST', 'INVALID'], rows) : '(no messages)'
  const errors = r.messages.filter((m) => m.error !== undefined)
  const errorLines =
    errors.length === 0
      ? ['', 'errors: none']
      : [
          '',
          `errors: ${errors.length}`,
          ...errors.slice(0, MAX_ERROR_LINES).map((m) => `  #${m.seq}  ${(m.t_ms / 1000).toFixed(3)} s  client ${m.client}  ${ARROW[m.direction]}  ${m.error ?? ''}`),
          ...(errors.length > MAX_ERROR_LINES ? [`  ... and ${errors.length - MAX_ERROR_LINES} more`] : [])
        ]
  return [...head, '', body, ...errorLines].join('\n')
}
