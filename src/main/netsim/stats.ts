// Link statistics: connections, disconnections, messages and bytes each way, losses, errors, added latency.
import { DIRECTIONS, type Direction } from './conditions'
import { Ring } from './ring'

/** Keeps every sample's sum for the mean and the newest ones for percentiles, so memory stays bounded. */
class LatencySamples {
  private readonly recent = new Float64Array(10_000)
  private count = 0
  private sum = 0
  private max = 0

  add(ms: number): void {
    this.recent[this.count % this.recent.length] = ms
    this.count++
    this.sum += ms
    if (ms > this.max) this.max = ms
  }

  summary(): LatencySummary {
    if (this.count === 0) return { samples: 0, mean: null, p99: null, max: null }
    const kept = this.recent.slice(0, Math.min(this.count, this.recent.length)).sort()
    const p99 = kept[Math.min(kept.length - 1, Math.ceil(kept.length * 0.99) - 1)]!
    return { samples: this.count, mean: round(this.sum / this.count), p99: round(p99), max: round(this.max) }
  }
}

export interface LatencySummary {
  samples: number
  /** ms; null until a message has been delivered. p99 is over the newest 10,000 deliveries. */
  mean: number | null
  p99: number | null
  max: number | null
}

interface Counters {
  /** Arrived at the proxy from the sender. */
  messages: number
  bytes: number
  delivered: number
  delivered_bytes: number
  /** Lost to packet_loss_rate. */
  dropped: number
  /** Tail-dropped because the direction's queue was over max_queue_ms. */
  overflow: number
  /** In flight when their connection closed. */
  discarded: number
  validation_errors: number
}

export interface DirectionStats extends Counters {
  /** Accepted but not yet delivered. */
  in_flight: number
  latency_added_ms: LatencySummary
}

export interface RecentError {
  t_ms: number
  client: number
  direction: Direction
  error: string
}

export type DisconnectCause = 'client' | 'target' | 'forced' | 'shutdown'

export interface StatsJson {
  uptime_s: number
  connections: { total: number; open: number; refused: number }
  disconnections: Record<DisconnectCause, number>
  client_to_server: DirectionStats
  server_to_client: DirectionStats
  // Seed 003's summary names, over both directions:
  messages_dropped: number
  validation_errors: number
  avg_latency_ms: number | null
  recent_errors: RecentError[]
}

const round = (x: number): number => Math.round(x * 1000) / 1000

const zero = (): Counters => ({ messages: 0, bytes: 0, delivered: 0, delivered_bytes: 0, dropped: 0, overflow: 0, discarded: 0, validation_errors: 0 })

export class Stats {
  readonly connections = { total: 0, open: 0, refused: 0 }
  readonly disconnections: Record<DisconnectCause, number> = { client: 0, target: 0, forced: 0, shutdown: 0 }
  private readonly counters: Record<Direction, Counters> = { client_to_server: zero(), server_to_client: zero() }
  private readonly latency: Record<Direction, LatencySamples> = { client_to_server: new LatencySamples(), server_to_client: new LatencySamples() }
  private readonly errors = new Ring<RecentError>(20)
  private readonly startedMs = performance.now()

  arrived(d: Direction, bytes: number): void {
    this.counters[d].messages++
    this.counters[d].bytes += bytes
  }

  delivered(d: Direction, bytes: number, addedMs: number): void {
    this.counters[d].delivered++
    this.counters[d].delivered_bytes += bytes
    this.latency[d].add(addedMs)
  }

  lost(d: Direction, why: 'dropped' | 'overflow' | 'discarded'): void {
    this.counters[d][why]++
  }

  invalid(error: RecentError): void {
    this.counters[error.direction].validation_errors++
    this.errors.push(error)
  }

  snapshot(): StatsJson {
    const dir = (d: Direction): DirectionStats => {
      const c = this.counters[d]
      return { ...c, in_flight: c.messages - c.delivered - c.dropped - c.overflow - c.discarded, latency_added_ms: this.latency[d].summary() }
    }
    const up = dir('client_to_server')
    const down = dir('server_to_client')
    const samples = up.latency_added_ms.samples + down.latency_added_ms.samples
    const sum = DIRECTIONS.reduce((s, d) => {
      const l = d === 'client_to_server' ? up.latency_added_ms : down.latency_added_ms
      return s + (l.mean ?? 0) * l.samples
    }, 0)
    return {
      uptime_s: round((performance.now() - this.startedMs) / 1000),
      connections: { ...this.connections },
      disconnections: { ...this.disconnections },
      client_to_server: up,
      server_to_client: down,
      messages_dropped: up.dropped + up.overflow + down.dropped + down.overflow,
      validation_errors: up.validation_errors + down.validation_errors,
      avg_latency_ms: samples > 0 ? round(sum / samples) : null,
      recent_errors: this.errors.toArray()
    }
  }
}
