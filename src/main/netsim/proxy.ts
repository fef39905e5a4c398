// The network simulator: a WebSocket proxy that puts chosen link conditions between clients and a Hermes server.
import { randomInt } from 'node:crypto'
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { logger, type Logger } from '../engine/log'
import { HostCheck } from '../engine/server/hostCheck'
import { boundedText } from '../../shared/text/bounded'
import { applyPatch, describeConditions, type Direction, type NetworkConditions, type PatchProblem } from './conditions'
import { ProxiedConnection, toBuffer, type EarlyMessage } from './connection'
import { CONTROL_PREFIX, handleControl, type ConditionsView, type Controllable } from './control'
import { forwardHttp, httpOrigin, onOrigin } from './httpForward'
import { parsePatch } from './profileFile'
import { Recorder, type RecordingFile } from './recording'
import { Stats, type StatsJson } from './stats'

export interface ProxyOptions {
  /** The server to proxy to, e.g. ws://127.0.0.1:8765. */
  target: string
  host: string
  /** 0 picks a free port. */
  port: number
  profile: string
  conditions: NetworkConditions
  /** Same seed, same drops, jitter and disconnects for the same traffic; a random one when left out. */
  seed?: number
  /** Messages kept in the history ring; 0 records nothing. */
  history: number
  /** Keep binary messages' bytes (base64) in the history. */
  payloads: boolean
  /** The history's byte bound (JSON size), and the most of one message's payload it keeps. */
  historyBytes?: number
  historyMessageBytes?: number
  maxMessageBytes?: number
  /** Host header names accepted besides loopback and the bound address (DNS rebinding defence); `*` accepts any. */
  allowedHosts?: readonly string[]
  log?: Logger
}

export interface ProxyStatsJson extends StatsJson {
  target: string
  listen: string
  profile: string
  seed: number
  conditions: string
  clients: { id: number; remote: string; connected_s: number; in_flight: number; held_back: Direction[] }[]
}

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
/** The most of a refusing target's answer passed on to the client. */
const MAX_REFUSAL_BODY_BYTES = 4096

/** Writes a plain HTTP answer on a socket whose upgrade is refused. */
function refuseUpgrade(socket: Socket, status: number, statusText: string, body: string): void {
  if (socket.destroyed) return
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

export class NetsimProxy implements Controllable {
  readonly stats = new Stats()
  readonly recorder: Recorder
  readonly seed: number
  readonly log: Logger
  private readonly targetUrl: URL
  private readonly hosts: HostCheck
  private readonly wss: WebSocketServer
  private readonly connections = new Map<number, ProxiedConnection>()
  private current: NetworkConditions
  private profileName: string
  private nextId = 1
  /** Kept from listen time: the address is gone once the server has closed, and stats still name it. */
  private boundPort = 0
  private stopping: Promise<void> | null = null

  private constructor(
    private readonly http: HttpServer,
    private readonly options: ProxyOptions
  ) {
    this.targetUrl = new URL(options.target)
    if (this.targetUrl.protocol !== 'ws:' && this.targetUrl.protocol !== 'wss:') throw new Error(`--target must be a ws:// or wss:// URL, got '${options.target}'`)
    this.current = structuredClone(options.conditions)
    this.profileName = options.profile
    this.seed = options.seed ?? randomInt(2 ** 31)
    this.log = options.log ?? logger('netsim')
    this.recorder = new Recorder({ capacity: options.history, payloads: options.payloads, maxBytes: options.historyBytes, maxMessageBytes: options.historyMessageBytes })
    this.hosts = new HostCheck(options.host, options.allowedHosts ?? [])
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES })
    http.on('request', (req, res) => {
      // A page on another site that rebinds its name to this address sends its own name as Host: refuse
      // it before anything is forwarded or changed.
      if (!this.hosts.allows(req.headers.host)) {
        this.log.warn(`refused an HTTP request for Host ${boundedText(String(req.headers.host))}: not a name of this proxy nor an --allowed-host`)
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Host not allowed\n')
        return
      }
      const path = (req.url ?? '/').split('?')[0]!
      if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
        handleControl(this, req, res).catch((error: unknown) => {
          this.log.error(`control endpoint: ${error instanceof Error ? error.message : String(error)}`)
          if (!res.headersSent) res.writeHead(500)
          res.end()
        })
      } else {
        forwardHttp(this.targetUrl, req, res, this.log)
      }
    })
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head))
  }

  static start(options: ProxyOptions): Promise<NetsimProxy> {
    const http = createServer()
    const proxy = new NetsimProxy(http, options)
    return new Promise((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${options.host}:${options.port}`
        if (error.code === 'EADDRINUSE') reject(new Error(`port ${options.port} is already in use (${where}); choose another with --port`))
        else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`cannot bind to ${where}: no such local address`))
        else reject(error)
      })
      http.listen(options.port, options.host, () => {
        proxy.boundPort = (http.address() as AddressInfo).port
        resolve(proxy)
      })
    })
  }

  get port(): number {
    return this.boundPort
  }

  /** Where clients connect instead of the target. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host
    return `ws://${host}:${this.port}`
  }

  get target(): string {
    return this.targetUrl.href
  }

  get conditions(): NetworkConditions {
    return this.current
  }

  get profile(): string {
    return this.profileName
  }

  conditionsView(): ConditionsView {
    return { profile: this.profileName, conditions: structuredClone(this.current), description: describeConditions(this.current) }
  }

  /** Applies a patch (the profile format) to the running proxy; every connection sees it from its next message. */
  updateConditions(patch: unknown): { ok: true; view: ConditionsView } | { ok: false; problems: PatchProblem[] } {
    const parsed = parsePatch(patch)
    if (!parsed.ok) return parsed
    const applied = applyPatch(this.current, parsed.patch)
    if (applied.problems.length > 0) return { ok: false, problems: applied.problems }
    this.current = applied.conditions
    // A patch that starts from a profile or names itself is a new profile; a tweak is marked as one.
    this.profileName = applied.name ?? (this.profileName.endsWith(' (modified)') ? this.profileName : `${this.profileName} (modified)`)
    for (const c of this.connections.values()) c.conditionsChanged()
    this.log.info(`conditions now ${describeConditions(this.current)}`)
    return { ok: true, view: this.conditionsView() }
  }

  statsJson(): ProxyStatsJson {
    const now = performance.now()
    return {
      target: this.target,
      listen: this.url,
      profile: this.profileName,
      seed: this.seed,
      conditions: describeConditions(this.current),
      clients: Array.from(this.connections.values(), (c) => ({ id: c.id, remote: c.remote, connected_s: Math.round(now - c.openedMs) / 1000, in_flight: c.inFlight, held_back: c.heldBack })),
      ...this.stats.snapshot()
    }
  }

  recordingJson(): RecordingFile {
    return this.recorder.export({ target: this.target, profile: this.profileName, conditions: this.current })
  }

  /** The recording as JSON text in pieces, for a file or an HTTP answer of any size. */
  recordingChunks(): Iterable<string> {
    return this.recorder.chunks({ target: this.target, profile: this.profileName, conditions: this.current })
  }

  clearRecording(): void {
    this.recorder.clear()
  }

  disconnect(client: number | null): number[] {
    const chosen = client === null ? [...this.connections.values()] : [this.connections.get(client)].filter((c) => c !== undefined)
    for (const c of chosen) c.forceDisconnect('asked through the control endpoint')
    return chosen.map((c) => c.id)
  }

  /** Closes every client with 1001 (going away), and then the port. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.close()
    return this.stopping
  }

  private async close(): Promise<void> {
    await Promise.all(Array.from(this.connections.values(), (c) => c.shutdown()))
    this.wss.close()
    this.http.closeAllConnections()
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }

  /**
   * The target's address for a client's request path: the target itself for `/`, else the same path on its
   * host; null for anything that is not a path (the proxy connects to its target and nowhere else).
   */
  private upstreamUrl(path: string | undefined): string | null {
    if (!path || path === '/') return this.targetUrl.href
    return onOrigin(`${this.targetUrl.protocol}//${this.targetUrl.host}`, path)?.href ?? null
  }

  /**
   * The console served through the proxy sends the proxy's own origin; the target would refuse that as
   * foreign, so it becomes the target's origin. Any other origin goes on unchanged for the target to judge.
   */
  private upstreamOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin
    if (origin === undefined) return undefined
    try {
      return new URL(origin).host.toLowerCase() === req.headers.host?.toLowerCase() ? httpOrigin(this.targetUrl) : origin
    } catch {
      return origin
    }
  }

  /** Connects to the target first, so a client of a target that is down is refused as it would be directly. */
  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', (error) => this.log.debug(`client socket: ${error.message}`))
    if (this.stopping) return refuseUpgrade(socket, 503, 'Service Unavailable', 'netsim is shutting down\n')
    if (!this.hosts.allows(req.headers.host)) {
      this.log.warn(`refused a WebSocket for Host ${boundedText(String(req.headers.host))}: not a name of this proxy nor an --allowed-host`)
      this.stats.connections.refused++
      return refuseUpgrade(socket, 403, 'Forbidden', 'Host not allowed\n')
    }
    const upstreamUrl = this.upstreamUrl(req.url)
    if (upstreamUrl === null) {
      this.stats.connections.refused++
      return refuseUpgrade(socket, 400, 'Bad Request', 'netsim: only a path on the target can be requested through the proxy\n')
    }
    const id = this.nextId++
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`
    const origin = this.upstreamOrigin(req)
    const upstream = new WebSocket(upstreamUrl, {
      perMessageDeflate: false,
      maxPayload: this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      ...(origin !== undefined ? { headers: { origin } } : {})
    })
    // The target speaks first (the schema), possibly before the client's handshake is answered.
    const early: EarlyMessage[] = []
    const keepEarly = (data: RawData, isBinary: boolean): void => void early.push({ data: toBuffer(data), isBinary, arrivedMs: performance.now() })
    upstream.on('message', keepEarly)
    let settled = false
    const refuse = (status: number, text: string, body: string): void => {
      if (settled) return
      settled = true
      this.stats.connections.refused++
      const reason = boundedText(body.trim(), 300)
      this.recorder.addConnectionEvent({ t_ms: this.recorder.elapsed(), client: id, event: 'refused', remote, reason })
      this.log.warn(`client ${id} from ${remote} refused: ${reason}`)
      refuseUpgrade(socket, status, text, body)
      upstream.terminate()
    }
    socket.once('close', () => {
      if (settled) return
      settled = true
      upstream.terminate()
    })
    upstream.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = []
      let kept = 0
      response.on('data', (chunk: Buffer) => {
        if (kept >= MAX_REFUSAL_BODY_BYTES) return
        chunks.push(chunk.subarray(0, MAX_REFUSAL_BODY_BYTES - kept))
        kept += Math.min(chunk.byteLength, MAX_REFUSAL_BODY_BYTES - kept)
      })
      response.on('end', () => {
        const status = response.statusCode ?? 502
        refuse(status, response.statusMessage ?? 'Bad Gateway', Buffer.concat(chunks).toString('utf8') || `the target answered ${status}\n`)
      })
    })
    upstream.on('error', (error: Error) => {
      // The cause is for the proxy's log; the client learns only that the target is unreachable.
      if (!settled) this.log.warn(`client ${id}: cannot connect to the target ${this.target}: ${error.message}`)
      refuse(502, 'Bad Gateway', 'netsim: cannot connect to the target\n')
    })
    upstream.once('open', () => {
      if (settled) return upstream.terminate()
      settled = true
      if (this.stopping) {
        upstream.close(1001, 'netsim shutting down')
        return refuseUpgrade(socket, 503, 'Service Unavailable', 'netsim is shutting down\n')
      }
      this.wss.handleUpgrade(req, socket, head, (client) => {
        upstream.off('message', keepEarly)
        const connection = new ProxiedConnection(id, remote, client, upstream, { conditions: () => this.current, stats: this.stats, recorder: this.recorder, log: this.log, seed: this.seed }, early)
        this.connections.set(id, connection)
        void connection.closed.then(() => this.connections.delete(id))
        this.log.info(`client ${id} connected from ${remote} (${this.connections.size} connected)`)
      })
    })
  }
}
