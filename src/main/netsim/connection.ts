// One client proxied to the target: both directions through their links, checked, recorded and counted.
import { WebSocket, type RawData } from 'ws'
import type { Logger } from '../engine/log'
import type { Direction, NetworkConditions } from './conditions'
import { Link, type CloseRequest, type Parcel } from './link'
import type { SeededRandom } from '../../shared/random'
import { stream } from './random'
import type { MessageFields, RecordedMessage, Recorder } from './recording'
import { boundedText } from '../../shared/text/bounded'
import type { DisconnectCause, Stats } from './stats'
import { inspectMessage } from './validate'

/** What a proxied connection needs from the proxy around it. */
export interface ConnectionContext {
  conditions(): NetworkConditions
  readonly stats: Stats
  readonly recorder: Recorder
  readonly log: Logger
  readonly seed: number
}

interface Payload {
  data: Buffer
  isBinary: boolean
  entry: RecordedMessage | null
}

export interface EarlyMessage {
  data: Buffer
  isBinary: boolean
  arrivedMs: number
}

const ARROW: Record<Direction, string> = { client_to_server: 'client->server', server_to_client: 'server->client' }
/** Warnings logged per connection before the rest are only counted, so a stream of bad frames cannot flood the log. */
const MAX_WARNINGS = 20
const SHUTDOWN_GRACE_MS = 1000
/**
 * A receiver this far behind makes the proxy stop reading from the sender until it catches up, so the
 * engine sees a slow client as it would directly (and skips frames) instead of the proxy buffering.
 */
const BACKPRESSURE_HIGH_BYTES = 1024 * 1024
const BACKPRESSURE_LOW_BYTES = 256 * 1024
const BACKPRESSURE_POLL_MS = 10

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}

/** Closes `socket` the way its peer closed: the same code, no code (1005), or no close frame at all (1006). */
function closeLike(socket: WebSocket, request: CloseRequest): void {
  if (socket.readyState === WebSocket.CLOSED) return
  if (request.code === 1005) socket.close()
  else if (sendableCode(request.code)) socket.close(request.code, request.reason)
  else socket.terminate()
}

export class ProxiedConnection {
  readonly closed: Promise<void>
  readonly openedMs = performance.now()
  private readonly links: Record<Direction, Link<Payload>>
  private readonly rng: Record<Direction | 'clock', SeededRandom>
  private ended: DisconnectCause | null = null
  private socketsOpen = 2
  private disconnectTimer: NodeJS.Timeout | null = null
  private warnings = 0
  private readonly drainTimers: Partial<Record<Direction, NodeJS.Timeout>> = {}
  private resolveClosed!: () => void

  constructor(
    readonly id: number,
    readonly remote: string,
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly ctx: ConnectionContext,
    early: readonly EarlyMessage[]
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve))
    this.rng = { client_to_server: stream(ctx.seed, id, 0), server_to_client: stream(ctx.seed, id, 1), clock: stream(ctx.seed, id, 2) }
    this.links = {
      client_to_server: this.link('client_to_server', upstream),
      server_to_client: this.link('server_to_client', client)
    }
    ctx.stats.connections.total++
    ctx.stats.connections.open++
    ctx.recorder.addConnectionEvent({ t_ms: ctx.recorder.elapsed(), client: id, event: 'open', remote })

    for (const m of early) this.receive('server_to_client', m.data, m.isBinary, m.arrivedMs)
    client.on('message', (data: RawData, isBinary: boolean) => this.receive('client_to_server', toBuffer(data), isBinary, performance.now()))
    upstream.on('message', (data: RawData, isBinary: boolean) => this.receive('server_to_client', toBuffer(data), isBinary, performance.now()))
    client.on('close', (code: number, reason: Buffer) => this.onSocketClosed('client', code, reason.toString()))
    upstream.on('close', (code: number, reason: Buffer) => this.onSocketClosed('target', code, reason.toString()))
    // 'close' follows every 'error'; the error itself is only worth a debug line.
    client.on('error', (error: Error) => ctx.log.debug(`client ${id}: ${error.message}`))
    upstream.on('error', (error: Error) => ctx.log.debug(`client ${id} target side: ${error.message}`))
    this.armDisconnectClock()
  }

  /** Messages accepted and not yet delivered, both ways. */
  get inFlight(): number {
    return this.links.client_to_server.pending + this.links.server_to_client.pending
  }

  /** The directions whose sender is not being read because their receiver is behind (backpressure). */
  get heldBack(): Direction[] {
    return Object.keys(this.drainTimers) as Direction[]
  }

  /** Conditions changed: a per-minute disconnect clock starts over with the new rate. */
  conditionsChanged(): void {
    this.armDisconnectClock()
  }

  /** The simulated link failure: both sockets are cut without a close frame, so the client sees 1006. */
  forceDisconnect(why: string): void {
    if (!this.end('forced', 1006, why)) return
    this.ctx.log.info(`client ${this.id}: forced disconnect (${why})`)
    this.client.terminate()
    this.upstream.terminate()
  }

  /** The proxy is stopping: both sides get 1001 (going away), and are cut off if they do not answer. */
  shutdown(): Promise<void> {
    this.end('shutdown', 1001, 'netsim shutting down')
    for (const socket of [this.client, this.upstream]) {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1001, 'netsim shutting down')
    }
    const timer = setTimeout(() => {
      this.client.terminate()
      this.upstream.terminate()
    }, SHUTDOWN_GRACE_MS)
    return this.closed.finally(() => clearTimeout(timer))
  }

  private source(direction: Direction): WebSocket {
    return direction === 'client_to_server' ? this.client : this.upstream
  }

  private link(direction: Direction, to: WebSocket): Link<Payload> {
    return new Link<Payload>(
      this.rng[direction],
      (parcel, now) => this.deliver(direction, to, parcel, now),
      (request) => closeLike(to, request)
    )
  }

  /**
   * The last resort: inspection and recording already catch their own failures, and nothing a message
   * carries may throw out of a socket's event handler, where it would end the proxy for every client.
   */
  private receive(direction: Direction, data: Buffer, isBinary: boolean, arrivedMs: number): void {
    try {
      this.onMessage(direction, data, isBinary, arrivedMs)
    } catch (error) {
      this.ctx.log.error(`client ${this.id} ${ARROW[direction]}: a ${data.byteLength}-byte message could not be handled: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private onMessage(direction: Direction, data: Buffer, isBinary: boolean, arrivedMs: number): void {
    const { stats, recorder } = this.ctx
    const c = this.ctx.conditions()
    const inspection = inspectMessage(direction, data, isBinary)
    stats.arrived(direction, data.byteLength)
    let entry: RecordedMessage | null = null
    if (recorder.enabled) {
      // A failure to record must not cost the message: it is logged, and the message still goes on.
      try {
        const fields: MessageFields = { t_ms: recorder.elapsed(arrivedMs), client: this.id, direction, kind: isBinary ? 'binary' : 'text', bytes: data.byteLength, label: inspection.label, fate: 'in_flight' }
        if (inspection.action !== undefined) fields.action = inspection.action
        if (inspection.frame !== undefined) fields.frame = inspection.frame
        if (inspection.time !== undefined) fields.time = inspection.time
        if (inspection.count !== undefined) fields.count = inspection.count
        if (inspection.error !== null) fields.error = inspection.error
        entry = recorder.record(fields, data, isBinary)
      } catch (error) {
        this.ctx.log.error(`client ${this.id} ${ARROW[direction]}: could not record a ${data.byteLength}-byte message: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (inspection.error !== null) this.flag(direction, inspection.error, data, isBinary, arrivedMs)

    if (this.ended !== null) return this.lose(direction, entry, 'discarded')
    const rng = this.rng[direction]
    if (c.enabled && c.disconnect_per === 'message' && c.disconnect_rate > 0 && rng.uniform() < c.disconnect_rate) {
      this.lose(direction, entry, 'discarded')
      this.forceDisconnect(`disconnect_rate ${c.disconnect_rate} per message`)
      return
    }
    const mayLose = inspection.telemetry || c.drop_control
    if (c.enabled && mayLose && c.packet_loss_rate > 0 && rng.uniform() < c.packet_loss_rate) return this.lose(direction, entry, 'dropped')
    const outcome = this.links[direction].send(
      { payload: { data, isBinary, entry }, bytes: data.byteLength, arrivedMs },
      { conditions: c[direction], enabled: c.enabled, maxQueueMs: c.max_queue_ms, droppable: mayLose }
    )
    if (outcome === 'overflow') this.lose(direction, entry, 'overflow')
  }

  private flag(direction: Direction, error: string, data: Buffer, isBinary: boolean, arrivedMs: number): void {
    this.ctx.stats.invalid({ t_ms: this.ctx.recorder.elapsed(arrivedMs), client: this.id, direction, error })
    this.warnings++
    if (this.warnings > MAX_WARNINGS) return
    // Only the start of the message is decoded: the log line costs the same for a megabyte as for a line.
    const what = isBinary ? `${data.byteLength} binary bytes` : `${data.byteLength} bytes: ${boundedText(data.subarray(0, 320).toString('utf8'), 80)}`
    this.ctx.log.warn(`client ${this.id} ${ARROW[direction]}: invalid message (forwarded anyway): ${error}; message: ${what}`)
    if (this.warnings === MAX_WARNINGS) this.ctx.log.warn(`client ${this.id}: further invalid messages are counted in the statistics but not logged`)
  }

  private lose(direction: Direction, entry: RecordedMessage | null, why: 'dropped' | 'overflow' | 'discarded'): void {
    this.ctx.stats.lost(direction, why)
    if (entry) entry.fate = why
  }

  private deliver(direction: Direction, to: WebSocket, parcel: Parcel<Payload>, now: number): void {
    const { data, isBinary, entry } = parcel.payload
    if (to.readyState !== WebSocket.OPEN) return this.lose(direction, entry, 'discarded')
    to.send(data, { binary: isBinary })
    if (to.bufferedAmount > BACKPRESSURE_HIGH_BYTES && this.drainTimers[direction] === undefined) this.holdBack(direction, to)
    const added = now - parcel.arrivedMs
    this.ctx.stats.delivered(direction, parcel.bytes, added)
    if (entry) {
      entry.fate = 'delivered'
      entry.added_ms = Math.round(added * 1000) / 1000
    }
  }

  private holdBack(direction: Direction, to: WebSocket): void {
    const from = this.source(direction)
    from.pause()
    this.drainTimers[direction] = setInterval(() => {
      if (to.readyState === WebSocket.OPEN && to.bufferedAmount > BACKPRESSURE_LOW_BYTES) return
      this.release(direction)
    }, BACKPRESSURE_POLL_MS)
  }

  private release(direction: Direction): void {
    clearInterval(this.drainTimers[direction])
    delete this.drainTimers[direction]
    this.source(direction).resume()
  }

  /** The first close decides the cause; returns false when the connection had already ended. */
  private end(cause: DisconnectCause, code: number, reason: string): boolean {
    if (this.ended !== null) return false
    this.ended = cause
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer)
    this.disconnectTimer = null
    const { stats, recorder } = this.ctx
    stats.disconnections[cause]++
    // A paused sender must read again, or its close handshake would never be seen.
    for (const d of Object.keys(this.drainTimers) as Direction[]) this.release(d)
    recorder.addConnectionEvent({ t_ms: recorder.elapsed(), client: this.id, event: 'close', by: cause, code, ...(reason ? { reason } : {}) })
    // A client that has gone can receive nothing more, and neither can a target that has gone.
    if (cause !== 'target') this.discard('server_to_client')
    if (cause !== 'client') this.discard('client_to_server')
    return true
  }

  private discard(direction: Direction): void {
    for (const parcel of this.links[direction].discard()) this.lose(direction, parcel.payload.entry, 'discarded')
  }

  private onSocketClosed(side: 'client' | 'target', code: number, reason: string): void {
    if (this.end(side, code, reason)) {
      this.ctx.log.info(`client ${this.id}: ${side === 'client' ? 'the client' : 'the target'} closed the connection (code ${code})`)
      // What was already on its way still arrives, then the other side sees the same close.
      const c = this.ctx.conditions()
      const toward: Direction = side === 'client' ? 'client_to_server' : 'server_to_client'
      this.links[toward].closeAfterQueued({ code, reason }, c[toward], c.enabled)
    }
    if (--this.socketsOpen > 0) return
    this.discard('client_to_server')
    this.discard('server_to_client')
    this.ctx.stats.connections.open--
    this.resolveClosed()
  }

  private armDisconnectClock(): void {
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer)
    this.disconnectTimer = null
    const c = this.ctx.conditions()
    if (this.ended !== null || !c.enabled || c.disconnect_per !== 'minute' || c.disconnect_rate <= 0) return
    // Poisson arrivals: exponential waiting times with the configured mean rate.
    const waitMs = (this.rng.clock.exponential() / c.disconnect_rate) * 60_000
    const capped = Math.min(waitMs, 2 ** 31 - 1)
    this.disconnectTimer = setTimeout(() => {
      if (capped < waitMs) this.armDisconnectClock()
      else this.forceDisconnect(`disconnect_rate ${c.disconnect_rate} per minute`)
    }, capped)
  }
}
