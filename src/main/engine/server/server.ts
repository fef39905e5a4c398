// The Hermes WebSocket server (seed 000) and the console's HTTP server, on one port.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { EXTENSION_ACTIONS, RECORDED_ACTIONS, REPLAY_ACTIONS, SEED_ACTIONS, type Action, type EventMessage, type NoteEventMessage, type ReplayInfo, type ReplaySpeed, type RequestId, type StatusMessage } from '../../../shared/protocol/messages'
import type { ResolvedConfig } from '../config/types'
import type { RecordedEvent } from '../recording/format'
import type { HistorySource } from '../recording/history'
import type { TimelineSource } from '../recording/timeline'
import { HEADER } from '../backplane/backplane'
import { logger, type Logger } from '../log'
import { CommandRejected, type CommandResult, type ModuleFault, type ModuleTime, type Snapshot, type SchedulerEvent } from '../scheduler/scheduler'
import type { RunState } from '../scheduler/control'
import { boundedText } from '../../../shared/text/bounded'
import { ClientConnection, MAX_BACKLOG_BYTES } from './client'
import { parseCommand, showName, type ParsedCommand } from './commands'
import { RunMetrics } from './metrics'
import { HostCheck } from './hostCheck'
import { securityHeaders } from './headers'
import { isOriginAllowed } from './origin'
import { TokenBucket } from './rateLimit'
import { buildSchema, publishedNames, type RunInfo } from './schema'
import { expandPatterns } from '../../../shared/protocol/patterns'
import { MAX_HISTORY_VALUES } from '../recording/history'
import { serveStatic } from './staticFiles'
import { Subscription, TickEncoder } from './subscription'

export interface ServerOptions {
  host: string
  port: number
  /** Telemetry rate until a run is bound; from then on the bound configuration's server.telemetry_hz. */
  telemetryHz: number
  /** Folder of the built console served at `/`; null or missing serves a page that says how to build it. */
  staticDir: string | null
  allowedOrigins: readonly string[]
  /** Host header names accepted besides loopback and the bound address (server.allowed_hosts). */
  allowedHosts?: readonly string[]
  /** Larger messages close the connection with 1009. */
  maxMessageBytes?: number
  /** Sustained messages per second per client (bursts of twice as many pass); more are dropped. */
  commandsPerSecond?: number
  /** Connections accepted at once until a run is bound; from then on the bound configuration's server.max_clients. */
  maxClients?: number
  /** A client with more than this many bytes of messages unsent is closed with 1008 (default 4 MiB). */
  maxBacklogBytes?: number
  /** Bytes of one client's messages that may wait behind a slow command (default 16 MiB). */
  maxPendingBytes?: number
  /** Seconds between pings to every client until a run is bound (then server.keepalive_s); 0 sends none. */
  keepaliveS?: number
  /** A ping unanswered this long closes the client with 4000 (server.ping_timeout_s once a run is bound). */
  pingTimeoutS?: number
  /** Identifies this server in the `hello` ack. */
  serverName?: string
  log?: Logger
  /** Called when a tick's snapshot is ready to send, with its frame number (diagnostics, benchmarks). */
  onPublish?: (frame: number) => void
  /** Called for each encoding of a subscription, with the tick's number (diagnostics, tests: one per distinct subscription a tick). */
  onEncode?: (tick: number, key: string) => void
  /** Called after each tick's sends (diagnostics, benchmarks): only then does the server time its send loop. */
  onFanout?: (stats: FanoutStats) => void
  /** The clock of rate limits, in ms (tests freeze it); default performance.now. */
  now?: () => number
}

/** One tick's fan-out: frames written, clients skipped, and the ms from the snapshot to the last write returning. */
export interface FanoutStats {
  frame: number
  sent: number
  skipped: number
  sendMs: number
}

/**
 * What the server drives and reads frames from: a live run's Scheduler, or a replay's player (which plays
 * recorded frames: `slot` is then a recorded column, `header` its current frame and time).
 */
export interface ServedScheduler {
  readonly state: RunState
  readonly fault: ModuleFault | null
  readonly backplane: { slot(name: string): number | undefined; readonly header: Float64Array }
  onEvent(listener: (event: SchedulerEvent) => void): () => void
  pause(): Promise<CommandResult>
  resume(): Promise<CommandResult>
  step(count?: number): Promise<CommandResult>
  reset(): Promise<CommandResult>
  set(qualified: string, value: number): Promise<CommandResult>
  snapshot(): Promise<Snapshot>
  moduleTimes(): ModuleTime[]
}

/** A replay's own controls (`seek`, `speed`) and what the extended schema says of it. */
export interface ReplayControl {
  info(): ReplayInfo
  /** `segment`: null for the current one. Resolves with the frame and time played from now on. */
  seek(timeS: number, segment: number | null): Promise<{ frame: number; timeNs: number }>
  speed(factor: ReplaySpeed): void
  /** Hears playback (or a step or seek) cross into another recorded segment: a reset, as the run had it. */
  onSegment(listener: (segment: number) => void): () => void
}

/** What the server serves: a loaded configuration and its running scheduler (a Session), or a replay. */
export interface ServedRun {
  config: ResolvedConfig
  scheduler: ServedScheduler
  /** The run's id when it has one already (its recording's); otherwise the server makes one. */
  readonly runId?: string | undefined
  /** Hears every command a client had acted on, with the frame it acted at (the recording's log). */
  commandLog?(event: RecordedEvent): void
  /** The recorded signals and history over them (the `history` extension); absent when not recorded. */
  readonly history?: HistorySource | null
  /** The recorded commands, events and notes (the `timeline` extension); absent when not recorded. */
  readonly timeline?: TimelineSource | null
  /** Present when the run is a replay of a recording: seek and speed, and notes are refused. */
  readonly replay?: ReplayControl | null
  /** The file the run records into (the extended schema's `recording`); absent or null: not recorded. */
  readonly recordingFile?: string | null
}

interface Bound {
  run: ServedRun
  published: string[]
  publishedSet: Set<string>
  runId: string
  resets: number
  metrics: RunMetrics
  unlisten: () => void
}

const CLOSE_GOING_AWAY = 1001

/** How a recording names the client that sent a command: its connection number and address. */
const clientName = (client: ClientConnection): string => `client ${client.id} (${client.remote})`

/**
 * Further behind its schedule than this, the telemetry tick drops the debt instead of catching up. A
 * loaded machine stops a process for 100 ms and more now and then (measured: three such stalls in 7 s
 * at load 12 on 2 cores cost 340 of 7,000 ticks at 1000 Hz, 5 %); owed ticks go out one per turn of the
 * loop (I/O is read between them) and each takes a new snapshot, so catching up never sends old frames.
 */
const CATCH_UP_MS = 1000

/** A timer or an immediate, whichever is due: timers wait at least 1 ms, which 1000 Hz cannot afford. */
interface Ticker {
  cancel(): void
}
function ticker(run: () => void, delayMs: number): Ticker {
  if (delayMs < 1) {
    const immediate = setImmediate(run)
    return { cancel: () => clearImmediate(immediate) }
  }
  // Timers fire on whole milliseconds of the loop's clock: aim at the earlier one, the schedule absorbs it.
  const timer = setTimeout(run, Math.floor(delayMs))
  return { cancel: () => clearTimeout(timer) }
}
export const DEFAULT_KEEPALIVE_S = 10
export const DEFAULT_PING_TIMEOUT_S = 30
/** How often the keepalive looks at every client, at most (it also looks at keepalive_s / 4). */
const KEEPALIVE_CHECK_MS = 1000
export const DEFAULT_MAX_CLIENTS = 64
export const DEFAULT_COMMANDS_PER_SECOND = 500
/** A subscribe may list this many patterns, or as many as there are published signals if that is more. */
export const MAX_SUBSCRIBE_PATTERNS = 10_000
/** Bytes of one client's messages that may wait behind a slow command before more are refused. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024
/** History requests a client may have waiting or being answered; more are refused at once. */
export const MAX_HISTORY_WAITING = 32

export class HermesServer {
  private readonly clients = new Set<ClientConnection>()
  /** Clients that said `hello`: only they hear extension events (notes). */
  private readonly greeted = new WeakSet<ClientConnection>()
  private readonly wss: WebSocketServer
  private readonly encoder: TickEncoder
  private readonly now: () => number
  private readonly log: Logger
  private bound: Bound | null = null
  private nextClientId = 1
  private skippedTotal = 0
  private dropped = 0
  private tickTimer: Ticker | null = null
  /** When the scheduled tick was due: how late it runs is how long this event loop was busy. */
  private tickDueMs = 0
  /** When the previous tick ran: the loop turned then, so pongs up to then were read. */
  private lastTickMs = 0
  private tickEpochMs = 0
  private ticks = 0
  /** Ticks that sent telemetry: where in the list of clients the next one starts. */
  private served = 0
  private tickInFlight = false
  private stopping: Promise<void> | null = null
  private telemetryHz: number
  private maxClients: number
  private keepaliveMs: number
  private pingTimeoutMs: number
  private keepaliveTimer: NodeJS.Timeout | null = null
  /** Clients closed for not answering a ping in time, since the server started. */
  private timedOut = 0

  private constructor(
    private readonly http: HttpServer,
    private readonly options: ServerOptions
  ) {
    this.log = options.log ?? logger('server')
    this.now = options.now ?? (() => performance.now())
    this.encoder = new TickEncoder(options.onEncode)
    this.telemetryHz = options.telemetryHz
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS
    this.keepaliveMs = (options.keepaliveS ?? DEFAULT_KEEPALIVE_S) * 1000
    this.pingTimeoutMs = (options.pingTimeoutS ?? DEFAULT_PING_TIMEOUT_S) * 1000
    // No permessage-deflate (ws's default for servers, said here because prebuilt frames rely on it: client.ts sendFrame).
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxMessageBytes ?? 1024 * 1024 })
    this.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => this.onConnection(socket, req))
    const hosts = new HostCheck(options.host, options.allowedHosts ?? [])
    http.on('request', (req, res) => {
      const allowed = hosts.allows(req.headers.host)
      // Every response carries them, refusals and the page-not-built included.
      for (const [name, value] of Object.entries(securityHeaders(allowed ? req.headers.host : undefined, req.url))) res.setHeader(name, value)
      if (allowed) return serveStatic(options.staticDir, req, res)
      this.log.warn(`refused an HTTP request for Host ${boundedText(String(req.headers.host))}: not a name of this server nor in server.allowed_hosts`)
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Host not allowed\n')
    })
    http.on('upgrade', (req, socket, head) => {
      // A console reconnecting while the server stops would hold the port open: it is turned away.
      if (this.stopping) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nServer shutting down\n')
        return
      }
      if (!hosts.allows(req.headers.host)) {
        this.log.warn(`refused a WebSocket for Host ${boundedText(String(req.headers.host))}: not a name of this server nor in server.allowed_hosts`)
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nHost not allowed\n')
        return
      }
      if (!isOriginAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
        this.log.warn(`refused a WebSocket from origin ${boundedText(String(req.headers.origin))}: not this server's origin nor in server.allowed_origins`)
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nOrigin not allowed\n')
        return
      }
      // handleUpgrade calls back synchronously (no verifyClient), so the set of clients is the whole count.
      if (this.clients.size >= this.maxClients) {
        this.log.warn(`refused a WebSocket from ${req.socket.remoteAddress ?? '?'}: ${this.clients.size} clients connected, server.max_clients is ${this.maxClients}`)
        const body = `Too many clients: at most ${this.maxClients} connections (server.max_clients)\n`
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n${body}`)
        return
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req))
    })
  }

  /** Listens on host:port (0 picks a free port). A taken port fails with a message naming it. */
  static start(options: ServerOptions): Promise<HermesServer> {
    const http = createServer()
    const server = new HermesServer(http, options)
    return new Promise((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${options.host}:${options.port}`
        if (error.code === 'EADDRINUSE') reject(Object.assign(new Error(`port ${options.port} is already in use (${where}); choose another with --port or server.port`), { code: error.code }))
        else if (error.code === 'EADDRNOTAVAIL') reject(Object.assign(new Error(`cannot bind to ${where}: no such local address`), { code: error.code }))
        else reject(error)
      })
      http.listen(options.port, options.host, () => {
        server.startTicks()
        server.startKeepalive()
        resolve(server)
      })
    })
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port
  }

  get host(): string {
    return this.options.host
  }

  /** Where clients connect, e.g. ws://127.0.0.1:8765 (the console is at the same address over http). */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host
    return `ws://${host}:${this.port}`
  }

  get clientCount(): number {
    return this.clients.size
  }

  /** Messages dropped unanswered since the server started, for being over a client's rate limit. */
  get droppedMessages(): number {
    return this.dropped
  }

  /**
   * Serves this run from now on. Connected clients stay connected: each gets the new schema, and its
   * subscription patterns are expanded again against the new signals.
   */
  bind(run: ServedRun): void {
    this.bound?.unlisten()
    const published = publishedNames(run.config)
    const bound: Bound = {
      run,
      published,
      publishedSet: new Set(published),
      runId: run.runId ?? randomUUID(),
      resets: 0,
      metrics: new RunMetrics(),
      unlisten: run.scheduler.onEvent((event) => this.onSchedulerEvent(event))
    }
    if (run.replay) {
      const unlistenEvents = bound.unlisten
      const unlistenSegments = run.replay.onSegment((segment) => this.onReplaySegment(bound, segment))
      bound.unlisten = () => {
        unlistenEvents()
        unlistenSegments()
      }
    }
    const rebinding = this.bound !== null
    this.bound = bound
    this.maxClients = run.config.server.maxClients
    if (run.config.server.keepaliveS * 1000 !== this.keepaliveMs || run.config.server.pingTimeoutS * 1000 !== this.pingTimeoutMs) {
      this.keepaliveMs = run.config.server.keepaliveS * 1000
      this.pingTimeoutMs = run.config.server.pingTimeoutS * 1000
      if (this.keepaliveTimer) this.startKeepalive()
    }
    if (run.config.server.telemetryHz !== this.telemetryHz) {
      this.telemetryHz = run.config.server.telemetryHz
      if (this.tickTimer) {
        this.tickTimer.cancel()
        this.startTicks()
      }
    }
    if (!rebinding) return
    for (const client of this.clients) {
      void this.sendSchema(client)
      const sub = client.subscription
      if (sub) client.subscribe(this.resolve(sub.patterns, sub.encoding), client.rateHz)
    }
  }

  /** Closes every client with 1001 (going away) and the port. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.close()
    return this.stopping
  }

  private async close(): Promise<void> {
    this.tickTimer?.cancel()
    this.tickTimer = null
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer)
    this.keepaliveTimer = null
    this.bound?.unlisten()
    const closed = Array.from(this.clients, (c) => new Promise<void>((resolve) => {
      if (c.socket.readyState === c.socket.CLOSED) return resolve()
      c.socket.once('close', () => resolve())
      c.socket.close(CLOSE_GOING_AWAY, 'server shutting down')
      // A client that does not answer the close handshake is cut off.
      setTimeout(() => {
        c.socket.terminate()
        resolve()
      }, 1000).unref()
    }))
    await Promise.all(closed)
    this.wss.close()
    const httpClosed = new Promise<void>((resolve) => this.http.close(() => resolve()))
    // Keep-alive connections of browsers (the console's page and assets) would keep the port open for as
    // long as the browser likes: they are closed with the server.
    this.http.closeAllConnections()
    await httpClosed
  }

  private runInfo(bound: Bound): RunInfo {
    return { runId: this.runId(bound), state: bound.run.scheduler.state, frame: 0, timeNs: 0, fault: bound.run.scheduler.fault, recordingFile: bound.run.recordingFile ?? null }
  }

  private runId(bound: Bound): string {
    return bound.resets === 0 ? bound.runId : `${bound.runId}.${bound.resets}`
  }

  /** Settles once the schema is sent, so that a reply queued after it comes after it. */
  private sendSchema(client: ClientConnection): Promise<void> {
    const bound = this.bound
    if (!bound) {
      client.send({ type: 'schema', modules: {} })
      return Promise.resolve()
    }
    if (!client.extensions.has('schema')) {
      client.send(buildSchema(bound.run.config, null))
      return Promise.resolve()
    }
    // The extended schema carries the current frame and time: take them from a fresh snapshot. The rest
    // (the fault above all) is read once the snapshot is in: a fault while it was taken has already gone
    // out as an event, which a client that is still connecting may not be listening for yet.
    return bound.run.scheduler.snapshot().then(
      (snap) => client.send(this.extendedSchema(bound, { ...this.runInfo(bound), state: snap.state, frame: snap.frame, timeNs: snap.timeNs })),
      () => client.send(this.extendedSchema(bound, this.runInfo(bound)))
    )
  }

  private extendedSchema(bound: Bound, info: RunInfo): ReturnType<typeof buildSchema> {
    const schema = buildSchema(bound.run.config, info)
    return bound.run.replay ? { ...schema, replay: bound.run.replay.info() } : schema
  }

  /** What this run serves, for the hello ack: timeline and note where recorded, seek and speed in a replay. */
  private actions(): Action[] {
    const run = this.bound?.run
    const extra: Action[] = run?.replay ? [...REPLAY_ACTIONS] : run?.timeline ? [...RECORDED_ACTIONS] : []
    return [...SEED_ACTIONS, ...EXTENSION_ACTIONS, ...extra]
  }

  private onConnection(socket: WebSocket, req: IncomingMessage): void {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`
    const perSecond = this.options.commandsPerSecond ?? DEFAULT_COMMANDS_PER_SECOND
    const client = new ClientConnection(socket, this.nextClientId++, remote, {
      bucket: new TokenBucket(perSecond, perSecond * 2, this.now),
      maxBacklogBytes: this.options.maxBacklogBytes ?? MAX_BACKLOG_BYTES,
      log: this.log,
      // The upgrade's socket, which ws took over: telemetry frames are written to it prebuilt.
      wire: req.socket
    })
    this.clients.add(client)
    this.log.info(`client ${client.id} connected from ${remote} (${this.clients.size} connected)`)
    // The schema goes first: commands that arrive meanwhile are answered after it.
    client.enqueue(() => this.sendSchema(client))
    socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(client, data, isBinary))
    socket.on('pong', () => client.onPong())
    socket.on('close', (code: number) => {
      this.clients.delete(client)
      this.log.info(`client ${client.id} disconnected (code ${code}, ${this.clients.size} connected)`)
    })
    socket.on('error', (error: Error) => this.log.warn(`client ${client.id}: ${error.message}`))
  }

  /** No client message, however built, throws out of here: the last resort answers and keeps the connection. */
  private onMessage(client: ClientConnection, data: RawData, isBinary: boolean): void {
    try {
      this.handleMessage(client, data, isBinary)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.log.error(`client ${client.id}: a message could not be handled: ${message}`)
      client.enqueue(() => this.sendError(client, `Internal error handling the message: ${showName(message)}`, undefined, undefined))
    }
  }

  private handleMessage(client: ClientConnection, data: RawData, isBinary: boolean): void {
    // A connection being closed (not reading, or the server stopping) runs nothing more.
    if (!client.open) return
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    if (!client.bucket.take()) {
      this.refuseOverRate(client, bytes, isBinary)
      return
    }
    if (isBinary) {
      client.enqueue(() => client.send({ type: 'error', message: 'Binary messages are not accepted: send commands as JSON text' }))
      return
    }
    // Messages waiting behind a slow command are held in memory: past the bound they are refused at once.
    const maxPending = this.options.maxPendingBytes ?? MAX_PENDING_BYTES
    if (client.pendingBytes + bytes.length > maxPending) {
      this.refuseOverRate(client, bytes, false, `Too many commands waiting: at most ${maxPending} bytes of messages may wait for a slow command; messages over it are dropped, with one error a second`)
      return
    }
    const parsed = parseCommand(bytes.toString('utf8'))
    if (!parsed.ok) {
      client.enqueue(() => this.sendError(client, parsed.message, parsed.action, parsed.id))
      return
    }
    // History is answered on the recorder's thread, shared by every client: one client's queue of
    // queries may not hold the others' back for long (each is bounded in size, not their number).
    const history = parsed.command.action === 'history'
    if (history && client.historyWaiting >= MAX_HISTORY_WAITING) {
      this.sendError(client, `history: ${MAX_HISTORY_WAITING} requests of this client are waiting to be answered, the most a client may have; ask again when one is answered`, 'history', parsed.id)
      return
    }
    client.enqueue(
      () =>
        this.execute(client, parsed.command, parsed.id).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error)
          if (!(error instanceof CommandRejected)) this.log.error(`client ${client.id}: ${parsed.command.action} failed: ${message}`)
          this.sendError(client, message, parsed.command.action, parsed.id)
        }),
      bytes.length,
      history
    )
  }

  /**
   * A client over its rate limit (or over its bytes waiting, `why`) gets at most one error a second; the
   * messages in between are dropped unanswered, so a flood costs the server neither work nor memory. Only
   * the message that is answered is parsed, for its id and action (one parse a second at most); a binary
   * frame has neither.
   */
  private refuseOverRate(client: ClientConnection, bytes: Buffer, isBinary: boolean, why?: string): void {
    const now = this.now()
    if (now - client.lastRateErrorMs < 1000) {
      client.droppedMessages++
      this.dropped++
      return
    }
    const dropped = client.droppedMessages
    client.lastRateErrorMs = now
    client.droppedMessages = 0
    if (dropped > 0) this.log.warn(`client ${client.id} is over the rate limit: ${dropped} messages dropped in the last second`)
    const parsed = isBinary ? null : parseCommand(bytes.toString('utf8'))
    const perSecond = this.options.commandsPerSecond ?? DEFAULT_COMMANDS_PER_SECOND
    const message = why ?? `Too many messages: at most ${perSecond} per second; messages over the limit are dropped, with one error a second`
    // Answered at once, not behind the slow command: the queue is what is full.
    const reply = (): void => this.sendError(client, message, parsed ? (parsed.ok ? parsed.command.action : parsed.action) : undefined, parsed?.id)
    if (why !== undefined) {
      reply()
      return
    }
    client.enqueue(reply)
  }

  private sendError(client: ClientConnection, message: string, action: string | undefined, id: RequestId | undefined): void {
    // The action comes from the client: echoed bounded, with its controls escaped.
    if (client.extensions.has('ids')) client.send({ type: 'error', message, ...(action !== undefined ? { action: showName(action) } : {}), ...(id !== undefined ? { id } : {}) })
    else client.send({ type: 'error', message })
  }

  private requireRun(): Bound {
    if (!this.bound) throw new CommandRejected('No scheduler attached')
    return this.bound
  }

  private resolve(patterns: readonly string[], encoding: 'binary' | 'json'): Subscription {
    const bound = this.requireRun()
    return Subscription.resolve(patterns, bound.published, (n) => bound.run.scheduler.backplane.slot(n), encoding)
  }

  private async execute(client: ClientConnection, command: ParsedCommand, id: RequestId | undefined): Promise<void> {
    switch (command.action) {
      case 'subscribe': {
        // Checked here and not on a reload's re-subscription: a list accepted once stays accepted.
        const limit = Math.max(MAX_SUBSCRIBE_PATTERNS, this.requireRun().published.length)
        if (command.signals.length > limit) throw new CommandRejected(`subscribe 'signals' has ${command.signals.length} entries: at most ${limit} are allowed`)
        const sub = this.resolve(command.signals, command.encoding ?? 'binary')
        const rate = command.rateHz === null ? null : Math.min(command.rateHz, this.telemetryHz)
        // The ack goes out before the subscription is installed, so it precedes its first frame.
        client.reply(
          {
            type: 'ack',
            action: 'subscribe',
            count: sub.names.length,
            signals: [...sub.names],
            ...(rate !== null ? { rate_hz: rate } : {}),
            ...(command.encoding !== null ? { encoding: command.encoding } : {})
          },
          id
        )
        client.subscribe(sub, rate)
        return
      }
      case 'pause':
      case 'resume':
      case 'reset': {
        const bound = this.requireRun()
        const scheduler = bound.run.scheduler
        const result = await (command.action === 'pause' ? scheduler.pause() : command.action === 'resume' ? scheduler.resume() : scheduler.reset())
        // A replay's reset goes back to its first segment: the run id is that segment's again.
        if (command.action === 'reset') bound.resets = bound.run.replay ? bound.run.replay.info().segment : bound.resets + 1
        bound.run.commandLog?.({ kind: 'command', action: command.action, client: clientName(client), frame: result.frame, timeNs: result.timeNs })
        client.reply({ type: 'ack', action: command.action }, id)
        this.broadcastEvent({ type: 'event', event: command.action === 'pause' ? 'paused' : command.action === 'resume' ? 'running' : 'reset' })
        return
      }
      case 'step': {
        const bound = this.requireRun()
        if (bound.run.scheduler.state === 'running') throw new CommandRejected('step is only allowed while paused: send pause first')
        // Not awaited in the client's queue: its next command (a pause, a reset) is what may end a long step.
        // A step that something ended early says how many frames it ran (additive: a full step's ack is seed 000's).
        bound.run.scheduler.step(command.count).then(
          (result) => {
            const cut = result.stepped !== undefined && result.stepped < command.count ? { stepped: result.stepped } : {}
            bound.run.commandLog?.({ kind: 'command', action: 'step', count: result.stepped ?? command.count, client: clientName(client), frame: result.frame, timeNs: result.timeNs })
            client.reply({ type: 'ack', action: 'step', count: command.count, frame: result.frame, ...cut }, id)
          },
          (error: unknown) => this.sendError(client, error instanceof Error ? error.message : String(error), 'step', id)
        )
        return
      }
      case 'set': {
        const bound = this.requireRun()
        if (bound.run.replay) throw new CommandRejected('set is not available in a replay')
        if (!bound.publishedSet.has(command.signal)) throw new CommandRejected(`Unknown signal: ${showName(command.signal)}`)
        const signal = bound.run.config.modules.flatMap((m) => m.signals).find((s) => s.qualified === command.signal)
        if (!signal?.writable) throw new CommandRejected(`Signal not writable: ${showName(command.signal)}`)
        const result = await bound.run.scheduler.set(command.signal, command.value)
        bound.run.commandLog?.({ kind: 'command', action: 'set', signal: command.signal, value: command.value, client: clientName(client), frame: result.frame, timeNs: result.timeNs })
        client.reply({ type: 'ack', action: 'set', signal: command.signal, value: command.value }, id)
        return
      }
      case 'hello': {
        client.extensions.clear()
        for (const e of command.extensions) client.extensions.add(e)
        this.greeted.add(client)
        client.reply({ type: 'ack', action: 'hello', server: this.options.serverName ?? 'hermes-console', extensions: [...client.extensions], actions: this.actions() }, id)
        if (client.extensions.has('schema')) await this.sendSchema(client)
        return
      }
      case 'ping':
        client.reply({ type: 'pong', ...(command.clientTime !== null ? { client_time: command.clientTime } : {}), server_time: performance.timeOrigin + performance.now() }, id)
        return
      case 'status': {
        const bound = this.requireRun()
        const snap = await bound.run.scheduler.snapshot()
        client.reply(this.status(client, bound, snap.frame, snap.timeNs, snap.state), id)
        return
      }
      case 'history': {
        const bound = this.requireRun()
        const source = bound.run.history
        if (!source) throw new CommandRejected('history is not available: this run is not recorded (hermes run --record FILE; served runs record by default)')
        const names = expandPatterns(command.signals, source.signals)
        if (names.length === 0) throw new CommandRejected(`history: no recorded signal matches ${showName(command.signals.join(', '))}`)
        if (names.length * command.maxPoints > MAX_HISTORY_VALUES) throw new CommandRejected(`history asks for ${names.length} signals x ${command.maxPoints} points; at most ${MAX_HISTORY_VALUES} values a reply`)
        const column = new Map(source.signals.map((n, i) => [n, i]))
        const reply = await source.query({ columns: names.map((n) => column.get(n)!), names, fromNs: Math.round(command.from * 1e9), toNs: Math.round(command.to * 1e9), maxPoints: command.maxPoints })
        client.reply({ type: 'history', from: command.from, to: command.to, ...reply }, id)
        return
      }
      case 'timeline': {
        const bound = this.requireRun()
        const source = bound.run.timeline
        if (!source) throw new CommandRejected('timeline is not available: this run is not recorded (hermes run --record FILE; served runs record by default)')
        const { markers, truncated } = source.timeline()
        // `to`: the newest recorded time, which is where the run is (a replay: its recording's end).
        const to = bound.run.replay ? bound.run.replay.info().to : (await bound.run.scheduler.snapshot()).timeNs / 1e9
        client.reply({ type: 'timeline', from: 0, to, markers, ...(truncated ? { truncated: true as const } : {}) }, id)
        return
      }
      case 'note': {
        const bound = this.requireRun()
        if (bound.run.replay) throw new CommandRejected('notes cannot be added to a replay')
        if (!bound.run.timeline || !bound.run.commandLog) throw new CommandRejected('notes are not available: this run is not recorded (hermes run --record FILE; served runs record by default)')
        const snap = await bound.run.scheduler.snapshot()
        const note = { text: command.text, client: clientName(client), frame: snap.frame, timeNs: snap.timeNs }
        bound.run.commandLog({ kind: 'note', ...note })
        client.reply({ type: 'ack', action: 'note', frame: note.frame, time: note.timeNs / 1e9 }, id)
        const event: NoteEventMessage = { type: 'event', event: 'note', text: note.text, client: note.client, frame: note.frame, time: note.timeNs / 1e9 }
        const text = JSON.stringify(event)
        for (const c of this.clients) if (this.greeted.has(c)) c.sendData(text)
        return
      }
      case 'seek': {
        const replay = this.requireRun().run.replay
        if (!replay) throw new CommandRejected('seek is only available in a replay')
        const at = await replay.seek(command.time, command.segment)
        client.reply({ type: 'ack', action: 'seek', frame: at.frame, time: at.timeNs / 1e9 }, id)
        return
      }
      case 'speed': {
        const replay = this.requireRun().run.replay
        if (!replay) throw new CommandRejected('speed is only available in a replay')
        replay.speed(command.factor)
        client.reply({ type: 'ack', action: 'speed', factor: command.factor }, id)
        return
      }
      case 'subscribe_status': {
        const rate = Math.min(command.rateHz, this.telemetryHz)
        client.reply({ type: 'ack', action: 'subscribe_status', rate_hz: rate }, id)
        client.statusRateHz = rate
        return
      }
    }
  }

  private status(client: ClientConnection, bound: Bound, frame: number, timeNs: number, state: StatusMessage['state']): StatusMessage {
    return {
      type: 'status',
      run_id: this.runId(bound),
      state,
      frame,
      time: timeNs / 1e9,
      realtime_factor: bound.metrics.realtimeFactor,
      frames_per_second: bound.metrics.framesPerSecond,
      modules: bound.metrics.modules,
      clients: this.clients.size,
      skipped_frames: client.skippedFrames,
      skipped_frames_total: this.skippedTotal,
      clients_timed_out: this.timedOut,
      fault: bound.run.scheduler.fault
    }
  }

  private broadcastEvent(event: EventMessage): void {
    for (const client of this.clients) client.send(event)
  }

  /** A replay crossed a recorded reset: clients hear it as the run's clients did, with the new segment's schema. */
  private onReplaySegment(bound: Bound, segment: number): void {
    if (this.bound !== bound) return
    bound.resets = segment
    this.broadcastEvent({ type: 'event', event: 'reset' })
    for (const client of this.clients) if (client.extensions.has('schema')) void this.sendSchema(client)
  }

  private onSchedulerEvent(event: SchedulerEvent): void {
    if (event.kind === 'state' && event.reason === 'restart') {
      // The faulted module restarted (on_module_error: restart) and the run goes on as before the fault.
      if (event.state === 'running') this.broadcastEvent({ type: 'event', event: 'running' })
    } else if (event.kind === 'state' && event.reason === 'fault' && event.state === 'ended') {
      // on_module_error: stop ends the run at the fault.
      this.broadcastEvent({ type: 'event', event: 'ended', frame: event.frame, time: event.timeNs / 1e9 })
    } else if (event.kind === 'state' && event.reason === 'end_time') {
      this.log.info(`end_time reached at frame ${event.frame}; the server stays up for inspection`)
      this.broadcastEvent({ type: 'event', event: 'ended', frame: event.frame, time: event.timeNs / 1e9 })
    } else if (event.kind === 'state' && event.reason === 'fault') {
      // Seed 000 clients follow the run state through events: the pause a fault causes is one too.
      this.broadcastEvent({ type: 'event', event: 'paused' })
    } else if (event.kind === 'fault') {
      const outcome = event.action === 'stop' ? 'the run has ended' : event.action === 'restart' ? 'restarting it' : 'the run is paused; reset restarts it'
      this.log.error(`module '${event.module}' failed at frame ${event.frame}: ${event.message}; ${outcome}`)
      this.broadcastEvent({ type: 'event', event: 'error', module: event.module, message: event.message, frame: event.frame })
    } else if (event.kind === 'exit') {
      this.broadcastEvent({ type: 'event', event: 'error', module: 'scheduler', message: event.message })
    }
  }

  /** Pings every client now and then, and closes one whose ping went unanswered for ping_timeout_s. */
  private startKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer)
    const shortest = Math.min(this.keepaliveMs > 0 ? this.keepaliveMs : Infinity, this.pingTimeoutMs)
    const every = Math.min(KEEPALIVE_CHECK_MS, Math.max(10, shortest / 4))
    this.keepaliveTimer = setInterval(() => this.keepalive(), every)
    this.keepaliveTimer.unref()
  }

  private keepalive(): void {
    const now = performance.now()
    for (const c of this.clients) {
      if (!c.open) continue
      if (c.unansweredMs(now) > this.pingTimeoutMs) {
        this.timedOut++
        c.closeUnresponsive(this.pingTimeoutMs)
      } else if (this.keepaliveMs > 0) {
        c.probe(now, this.keepaliveMs)
      }
    }
  }

  private startTicks(): void {
    this.tickEpochMs = performance.now()
    this.ticks = 0
    this.scheduleTick()
  }

  /**
   * Ticks keep an absolute schedule, so the telemetry rate does not drift with the time a tick takes or
   * with timers that fire late: a tick that is due already runs on the next turn of the event loop
   * (setImmediate, since a timer cannot wait less than 1 ms), so the ticks owed are caught up. Only a
   * debt over CATCH_UP_MS (a stalled loop) is dropped rather than sent in a burst.
   */
  private scheduleTick(): void {
    const period = 1000 / this.telemetryHz
    let due = this.tickEpochMs + ++this.ticks * period
    const now = performance.now()
    if (due < now - Math.max(CATCH_UP_MS, 2 * period)) {
      this.tickEpochMs = now
      this.ticks = 0
      due = now
    }
    this.tickDueMs = due
    this.tickTimer = ticker(() => void this.tick(), due - now)
  }

  private async tick(): Promise<void> {
    if (this.tickInFlight) return this.scheduleTick()
    this.tickInFlight = true
    try {
      await this.publish()
    } catch (error) {
      this.log.error(`telemetry tick failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      this.tickInFlight = false
      if (this.tickTimer) this.scheduleTick()
    }
  }

  private async publish(): Promise<void> {
    const bound = this.bound
    if (!bound) return
    const now = performance.now()
    // Metrics read the header without a snapshot: a frame/time pair off by one frame is fine for a rate.
    const header = bound.run.scheduler.backplane.header
    bound.metrics.update(now, header[HEADER.frame]!, header[HEADER.timeNs]!, () => bound.run.scheduler.moduleTimes())
    if (this.clients.size === 0) return
    const tickMs = 1000 / this.telemetryHz
    // Timers run before I/O in a turn of the loop: pongs that came in while it was busy are not read yet.
    // While owed ticks are caught up the loop does turn (one tick per turn): its lateness is the time since
    // the previous tick, not the debt, or a client's real lag would be excused for the whole catch-up.
    const loopLateMs = Math.max(0, Math.min(now - this.tickDueMs, now - this.lastTickMs))
    this.lastTickMs = now
    const telemetry: ClientConnection[] = []
    const status: ClientConnection[] = []
    for (const c of this.clients) {
      if (!c.open) continue
      if (c.telemetryDue(now, tickMs)) telemetry.push(c)
      if (c.statusDue(now, tickMs)) status.push(c)
    }
    if (telemetry.length === 0 && status.length === 0) return
    // One snapshot per tick, one encoding per distinct subscription, the same buffer for every client.
    const snap = await bound.run.scheduler.snapshot()
    if (this.bound !== bound) return
    this.encoder.reset(snap)
    this.options.onPublish?.(snap.frame)
    const onFanout = this.options.onFanout
    const sendStart = onFanout ? performance.now() : 0
    let sent = 0
    let skipped = 0
    // Each tick starts one client further on: a socket write takes a while, and no client is always the last.
    const first = this.served++ % telemetry.length
    for (let i = 0; i < telemetry.length; i++) {
      const c = telemetry[(first + i) % telemetry.length]!
      const sub = c.subscription
      if (!sub || !c.open) continue
      // Fresh frames only: a client reading more than half its bound behind (kernel buffers included,
      // which backedUp cannot see) gets nothing until it catches up, then the newest frame. Half: a frame
      // sent now is read after everything queued before it, so it arrives about that lag older, and the
      // pings that measure the lag are a quarter of the bound apart. This server's own lateness is taken
      // out, since a pong waits for its event loop too.
      const freshMs = c.freshnessMs(tickMs)
      if (c.backedUp(sub.frameBytes) || c.lagMs(now) - loopLateMs > freshMs / 2) {
        c.probe(now, freshMs / 4)
        c.skippedFrames++
        this.skippedTotal++
        skipped++
        continue
      }
      if (c.sendFrame(this.encoder.encode(sub), now, freshMs / 4)) sent++
    }
    for (const c of status) c.send(this.status(c, bound, snap.frame, snap.timeNs, snap.state))
    onFanout?.({ frame: snap.frame, sent, skipped, sendMs: performance.now() - sendStart })
  }
}
