// One direction of one proxied connection: latency, jitter and bandwidth, without ever reordering.
import type { LinkConditions } from './conditions'
import type { SeededRandom } from '../../shared/random'

export interface Parcel<T> {
  payload: T
  bytes: number
  /** performance.now() when the message reached the proxy. */
  arrivedMs: number
}

export interface CloseRequest {
  code: number
  reason: string
}

/** setTimeout's longest wait; a longer one fires at once with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1

type Item<T> = { due: number; parcel: Parcel<T>; close?: undefined } | { due: number; close: CloseRequest; parcel?: undefined }

export interface SendOptions {
  conditions: LinkConditions
  /** Conditions disabled: no delay, but still behind anything already queued. */
  enabled: boolean
  /** A droppable message is tail-dropped when the transmit backlog exceeds this (ms at the bandwidth). */
  maxQueueMs: number
  droppable: boolean
}

/**
 * A message is transmitted after those before it (bandwidth: bytes / rate each), then travels for
 * latency ± jitter. Its delivery time is never earlier than the previous message's, as on one TCP
 * stream: jitter stretches the gaps between messages but cannot swap two of them.
 */
export class Link<T> {
  private queue: Item<T>[] = []
  private head = 0
  private lastTxEndMs = 0
  private lastDueMs = 0
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly rng: SeededRandom,
    private readonly deliver: (parcel: Parcel<T>, nowMs: number) => void,
    private readonly close: (request: CloseRequest) => void
  ) {}

  /** Messages and closes waiting to be delivered. */
  get pending(): number {
    return this.queue.length - this.head
  }

  /** 'overflow' when the message was tail-dropped instead of queued. */
  send(parcel: Parcel<T>, options: SendOptions): 'queued' | 'overflow' {
    if (this.stopped) return 'queued'
    const now = parcel.arrivedMs
    const { latency_ms: latency, jitter_ms: jitter, bandwidth_bytes_per_s: bandwidth } = options.conditions
    let due: number
    if (!options.enabled) {
      due = now
    } else {
      const txStart = Math.max(now, this.lastTxEndMs)
      if (bandwidth !== null && options.droppable && txStart - now > options.maxQueueMs) return 'overflow'
      const txEnd = bandwidth === null ? txStart : txStart + (parcel.bytes * 1000) / bandwidth
      this.lastTxEndMs = txEnd
      due = txEnd + Math.max(0, latency + (jitter > 0 ? this.rng.symmetric() * jitter : 0))
    }
    this.push({ due: Math.max(due, this.lastDueMs), parcel }, now)
    return 'queued'
  }

  /** Closes the far side after everything already queued, one latency later (the close frame travels too). */
  closeAfterQueued(request: CloseRequest, conditions: LinkConditions, enabled: boolean): void {
    if (this.stopped) return
    const now = performance.now()
    this.push({ due: Math.max(now + (enabled ? conditions.latency_ms : 0), this.lastDueMs), close: request }, now)
  }

  /** Stops for good; returns what was still queued (lost with the connection). */
  discard(): Parcel<T>[] {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const left = this.queue.slice(this.head).flatMap((item) => (item.parcel ? [item.parcel] : []))
    this.queue = []
    this.head = 0
    return left
  }

  private push(item: Item<T>, now: number): void {
    this.lastDueMs = item.due
    // The common case on a perfect link: nothing waiting and nothing to wait for.
    if (this.pending === 0 && item.due <= now) {
      this.emit(item, now)
      return
    }
    this.queue.push(item)
    if (this.pending === 1) this.arm(now)
  }

  private arm(now: number): void {
    const next = this.queue[this.head]
    if (!next || this.stopped) return
    // setTimeout truncates fractions and may fire a little early against performance.now(): round up.
    // A wait beyond the timer's range (a huge message on a slow link) wakes at the range's end and waits
    // again, since flush() delivers only what is due.
    this.timer = setTimeout(() => this.flush(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(next.due - now))))
  }

  private flush(): void {
    this.timer = null
    const now = performance.now()
    while (!this.stopped && this.head < this.queue.length && this.queue[this.head]!.due <= now) {
      const item = this.queue[this.head++]!
      this.emit(item, now)
    }
    if (this.stopped) return
    // Compact now and then, so a long-lived queue does not keep every delivered item.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    if (this.pending > 0) this.arm(now)
  }

  private emit(item: Item<T>, now: number): void {
    if (item.parcel) this.deliver(item.parcel, now)
    else {
      this.stopped = true
      this.close(item.close)
    }
  }
}
