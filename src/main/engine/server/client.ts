// One connected client: its socket, its subscription and rates, what it opted into, and its counters.
import { WebSocket } from 'ws'
import type { AckMessage, Extension, PongMessage, RequestId, ServerMessage, StatusMessage } from '../../../shared/protocol/messages'
import { TokenBucket } from './rateLimit'
import type { Subscription } from './subscription'

/** A socket backed up by more than this many frames of its own subscription skips frames. */
const BACKLOG_FRAMES = 4
const MIN_BACKLOG_BYTES = 64 * 1024

export class ClientConnection {
  subscription: Subscription | null = null
  /** Per-client telemetry rate (subscribe option); null streams at the server's telemetry_hz. */
  rateHz: number | null = null
  statusRateHz: number | null = null
  readonly extensions = new Set<Extension>()
  skippedFrames = 0
  /** Commands run one after another per client, so replies come back in the order they were asked. */
  queue: Promise<void> = Promise.resolve()
  private nextTelemetryMs = 0
  private nextStatusMs = 0

  constructor(
    readonly socket: WebSocket,
    readonly id: number,
    readonly remote: string,
    readonly bucket: TokenBucket
  ) {}

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  send(message: ServerMessage): void {
    if (this.open) this.socket.send(JSON.stringify(message))
  }

  /** Adds the request's `id` for clients that opted into `ids`. */
  reply(message: AckMessage | PongMessage | StatusMessage, id: RequestId | undefined): void {
    if (id !== undefined && this.extensions.has('ids')) this.send({ ...message, id })
    else this.send(message)
  }

  subscribe(subscription: Subscription, rateHz: number | null): void {
    this.subscription = subscription
    this.rateHz = rateHz
    this.nextTelemetryMs = 0
  }

  /** Whether this client takes a frame at this tick; `tickMs` is the server's tick period. */
  telemetryDue(nowMs: number, tickMs: number): boolean {
    if (!this.subscription) return false
    if (this.rateHz === null) return true
    return this.due(nowMs, tickMs, 1000 / this.rateHz, 'nextTelemetryMs')
  }

  statusDue(nowMs: number, tickMs: number): boolean {
    if (this.statusRateHz === null) return false
    return this.due(nowMs, tickMs, 1000 / this.statusRateHz, 'nextStatusMs')
  }

  /** A socket still flushing several of its frames gets no more until it drains. */
  backedUp(frameBytes: number): boolean {
    return this.socket.bufferedAmount > Math.max(MIN_BACKLOG_BYTES, BACKLOG_FRAMES * frameBytes)
  }

  private due(nowMs: number, tickMs: number, periodMs: number, field: 'nextTelemetryMs' | 'nextStatusMs'): boolean {
    // Half a tick of tolerance, so that a rate equal to the tick rate does not miss ticks to jitter.
    if (nowMs + tickMs / 2 < this[field]) return false
    // Keep an absolute schedule, but never owe more than one period after a stall.
    this[field] += periodMs
    if (this[field] < nowMs - periodMs) this[field] = nowMs + periodMs
    return true
  }
}
