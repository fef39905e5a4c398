// One connected client: its socket, its subscription and rates, what it opted into, and its counters.
import type { Writable } from 'node:stream'
import { WebSocket } from 'ws'
import type { AckMessage, Extension, HistoryMessage, PongMessage, RequestId, ServerMessage, StatusMessage, TimelineMessage } from '../../../shared/protocol/messages'
import type { Logger } from '../log'
import { TokenBucket } from './rateLimit'
import type { EncodedFrame, Subscription } from './subscription'

/** A socket backed up by more than this many frames of its own subscription skips frames. */
const BACKLOG_FRAMES = 4
const MIN_BACKLOG_BYTES = 64 * 1024

/** Any message to a client whose unsent backlog is over this closes it (server.maxBacklogBytes overrides). */
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024
/** Close code for a client that does not read: policy violation. */
export const CLOSE_NOT_READING = 1008
/** Close code for a peer that did not answer a ping within server.ping_timeout_s (private range). */
export const CLOSE_NO_PONG = 4000
/** A client closed for not reading gets this long to take the close frame before it is cut off. */
const CLOSE_GRACE_MS = 10_000
/** The oldest a frame may be when a client reads it: two of its telemetry periods, and at least this. */
export const MIN_FRESHNESS_MS = 50

export interface ClientLimits {
  bucket: TokenBucket
  maxBacklogBytes: number
  log: Logger
  /**
   * The connection's TCP socket under `socket`, for telemetry frames built once a tick (wireFrame.ts).
   * Without it (tests of this class) a frame goes through ws.send.
   */
  wire?: Writable
}

export class ClientConnection {
  subscription: Subscription | null = null
  /** Per-client telemetry rate (subscribe option); null streams at the server's telemetry_hz. */
  rateHz: number | null = null
  statusRateHz: number | null = null
  readonly extensions = new Set<Extension>()
  skippedFrames = 0
  /** Commands run one after another per client, so replies come back in the order they were asked. */
  queue: Promise<void> = Promise.resolve()
  /** When this client was last told it is over its rate limit (performance.now() ms); one error a second. */
  lastRateErrorMs = -Infinity
  /** Messages dropped unanswered for being over the rate limit, since the last rate error. */
  droppedMessages = 0
  private nextTelemetryMs = 0
  private nextStatusMs = 0
  /**
   * Liveness and lag, from WebSocket pings: a pong comes back only once the client has read everything
   * sent before its ping, so the age of the unanswered ping says how far behind the client reads, kernel
   * buffers included (which `bufferedAmount` does not see).
   */
  private pingSentMs: number | null = null
  private lastPingMs = -Infinity
  /** The best round trip seen: the network's share of a ping's age, not the client's lag. */
  private minRttMs = Infinity
  pongs = 0
  readonly bucket: TokenBucket
  private readonly maxBacklogBytes: number
  private readonly log: Logger
  private readonly wire: Writable | null

  constructor(
    readonly socket: WebSocket,
    readonly id: number,
    readonly remote: string,
    limits: ClientLimits
  ) {
    this.bucket = limits.bucket
    this.maxBacklogBytes = limits.maxBacklogBytes
    this.log = limits.log
    this.wire = limits.wire ?? null
  }

  /** Sends a ping unless one is unanswered or one went out less than `intervalMs` ago. */
  probe(nowMs: number, intervalMs: number): void {
    if (this.takeProbe(nowMs, intervalMs)) this.socket.ping()
  }

  /** Whether a ping is due (see probe); if so it counts as sent now, and the caller sends it. */
  private takeProbe(nowMs: number, intervalMs: number): boolean {
    if (this.pingSentMs !== null || nowMs - this.lastPingMs < intervalMs || !this.open) return false
    this.pingSentMs = nowMs
    this.lastPingMs = nowMs
    return true
  }

  /** How long the current ping has gone unanswered (0 when none is out). */
  unansweredMs(nowMs: number): number {
    return this.pingSentMs === null ? 0 : nowMs - this.pingSentMs
  }

  /** How far behind this client reads: the unanswered ping's age beyond the best round trip. */
  lagMs(nowMs: number): number {
    if (this.pingSentMs === null) return 0
    return nowMs - this.pingSentMs - (Number.isFinite(this.minRttMs) ? this.minRttMs : 0)
  }

  /** Two of this client's telemetry periods, and at least MIN_FRESHNESS_MS. */
  freshnessMs(tickMs: number): number {
    const period = this.rateHz === null ? tickMs : Math.max(tickMs, 1000 / this.rateHz)
    return Math.max(MIN_FRESHNESS_MS, 2 * period)
  }

  /** The socket's `pong` event (the server listens, so that this class needs no real socket in tests). */
  onPong(): void {
    if (this.pingSentMs === null) return
    this.pongs++
    this.minRttMs = Math.min(this.minRttMs, performance.now() - this.pingSentMs)
    this.pingSentMs = null
  }

  /** Closes a peer that did not answer a ping in time; it cannot read the close frame, so it is cut off soon after. */
  closeUnresponsive(timeoutMs: number): void {
    this.log.warn(`client ${this.id} (${this.remote}) did not answer a ping within ${timeoutMs / 1000} s (server.ping_timeout_s); closing it with ${CLOSE_NO_PONG}`)
    this.socket.close(CLOSE_NO_PONG, 'no pong within server.ping_timeout_s')
    const timer = setTimeout(() => this.socket.terminate(), Math.min(CLOSE_GRACE_MS, timeoutMs))
    timer.unref()
    this.socket.once('close', () => clearTimeout(timer))
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /** Bytes of the messages waiting in `queue` (a slow command, such as a long step, holds the rest back). */
  pendingBytes = 0
  /** History requests waiting in `queue` or being answered. */
  historyWaiting = 0

  /**
   * Runs `work` after everything this client asked before: every reply, errors included, keeps the order.
   * `bytes` and `history` count it in `pendingBytes` and `historyWaiting` until it is done.
   */
  enqueue(work: () => void | Promise<void>, bytes = 0, history = false): void {
    this.pendingBytes += bytes
    if (history) this.historyWaiting++
    this.queue = this.queue
      .then(work)
      .catch(() => undefined)
      .then(() => {
        this.pendingBytes -= bytes
        if (history) this.historyWaiting--
      })
  }

  send(message: ServerMessage): void {
    if (this.open) this.sendData(JSON.stringify(message))
  }

  /**
   * Every message to this client goes through here: one that finds more than the backlog bound still
   * unsent closes the connection instead of growing the server's memory. A single message larger than
   * the bound still goes out when the backlog is under it, so the bound holds to within one message.
   */
  sendData(data: string | Buffer): boolean {
    if (!this.open) return false
    const backlog = this.socket.bufferedAmount
    if (backlog > this.maxBacklogBytes) {
      this.closeNotReading(backlog)
      return false
    }
    this.socket.send(data)
    return true
  }

  /**
   * A telemetry frame, under the same backlog bound as sendData. Its prebuilt bytes go to the TCP socket
   * directly, which is sound because ws writes each of its own frames (replies, pings, close) to that
   * socket whole and at once: the server sends no Blob and negotiates no permessage-deflate, the only
   * cases in which ws's sender holds frames back in a queue. `open` turns false as soon as ws starts
   * closing, so nothing follows a close frame. The lag probe (`probe`, a ping when one is due) goes in
   * the same write, after the frame (EncodedFrame.pinged): the client is woken once a tick instead of
   * twice, the frame does not wait behind the ping, and the socket is written once, uncorked.
   */
  sendFrame(frame: EncodedFrame, nowMs: number, probeMs: number): boolean {
    if (!this.wire) {
      const sent = this.sendData(frame.payload)
      this.probe(nowMs, probeMs)
      return sent
    }
    if (!this.open) return false
    const backlog = this.socket.bufferedAmount
    if (backlog > this.maxBacklogBytes) {
      this.closeNotReading(backlog)
      return false
    }
    this.wire.write(this.takeProbe(nowMs, probeMs) ? frame.pinged : frame.wire)
    return true
  }

  private closeNotReading(backlog: number): void {
    this.log.warn(`client ${this.id} (${this.remote}) is not reading: ${backlog} bytes unsent, over the bound of ${this.maxBacklogBytes}; closing it with ${CLOSE_NOT_READING}`)
    this.socket.close(CLOSE_NOT_READING, 'not reading: send backlog over its bound')
    // The close frame waits behind the backlog; a client that never reads is cut off, freeing it.
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS)
    timer.unref()
    this.socket.once('close', () => clearTimeout(timer))
  }

  /** Adds the request's `id` for clients that opted into `ids`. */
  reply(message: AckMessage | PongMessage | StatusMessage | HistoryMessage | TimelineMessage, id: RequestId | undefined): void {
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
