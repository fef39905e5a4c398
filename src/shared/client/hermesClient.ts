// A typed client of the Hermes protocol for the console, the tests and users' scripts: one connection,
// commands as promises, telemetry decoded. Works against this engine and against the original Hermes.
import { decodeHert } from '../protocol/hert'
import type {
  AckMessage,
  ErrorMessage,
  EventMessage,
  Extension,
  HistoryMessage,
  NoteEventMessage,
  ReplaySpeed,
  TimelineMessage,
  PongMessage,
  RequestId,
  SchemaMessage,
  ServerMessage,
  StatusMessage,
  TelemetryEncoding
} from '../protocol/messages'

/** The part of the WebSocket API the client uses: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  binaryType: string
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: never) => void): void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface TelemetryFrame {
  /** Frame number; exact up to 2^53 (the wire carries a u64). */
  frame: number
  /** Simulation time in seconds. */
  time: number
  /** Values in the order of `signals` of the subscription they belong to. */
  values: Float64Array
}

export interface ClientEvents {
  schema: SchemaMessage
  frame: TelemetryFrame
  event: EventMessage
  /** A note some client added (the `note` extension; only to clients that said hello). */
  note: NoteEventMessage
  status: StatusMessage
  /** A telemetry frame that could not be decoded, and why. */
  badFrame: string
  close: { code: number; reason: string }
}

export class HermesCommandError extends Error {
  override name = 'HermesCommandError'
  constructor(
    message: string,
    readonly action: string
  ) {
    super(message)
  }
}

type Ack<A extends AckMessage['action']> = Extract<AckMessage, { action: A }>
/** What a request resolves to: its ack, or the reply message of an action that answers with data. */
type Reply = AckMessage | PongMessage | StatusMessage | HistoryMessage | TimelineMessage

/** The `history` extension's parameters (docs/protocol.md): patterns, simulated seconds, points per signal. */
export interface HistoryParams {
  signals: string[]
  from: number
  to: number
  maxPoints?: number
}

interface Pending {
  action: string
  id: number
  resolve(message: Reply): void
  reject(error: Error): void
}

export interface ConnectOptions {
  /** Needed in Node 20, which has no global WebSocket: pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor
  /** Ask for the extended schema and request ids (default). Servers without them are detected. */
  hello?: boolean
  /** Give up on the connection and the first schema after this long. */
  timeoutMs?: number
}

type Listener<K extends keyof ClientEvents> = (value: ClientEvents[K]) => void

export class HermesClient {
  /** The latest schema; a reloaded configuration replaces it. */
  schema: SchemaMessage = { type: 'schema', modules: {} }
  /** Signals of the current subscription, in the order of every frame's values. */
  subscribed: string[] = []
  /** Whether the server took `hello`: false against a seed 000 server such as the original Hermes. */
  extended = false
  /** The actions the server's `hello` ack lists (empty against a seed 000 server): what it serves. */
  actions: readonly string[] = []
  private readonly pending: Pending[] = []
  private readonly listeners = new Map<keyof ClientEvents, Set<(value: never) => void>>()
  /**
   * Events and notes that came while connecting, before the caller could listen (a module that failed
   * between the first schema and the hello ack): delivered on the task after connect resolves, and
   * anything newer after them. Null once delivered.
   */
  private early: ({ type: 'event'; value: EventMessage } | { type: 'note'; value: NoteEventMessage })[] | null = []
  private nextId = 1
  private closed = false

  private constructor(private readonly socket: WebSocketLike) {
    socket.binaryType = 'arraybuffer'
    socket.addEventListener('message', (event: { data: unknown }) => this.onMessage(event.data))
    socket.addEventListener('close', (event: { code: number; reason: string }) => this.onClose(event.code, event.reason))
  }

  /**
   * Opens the connection and resolves once the server's first schema has arrived and hello was answered;
   * when the server takes the `schema` extension, once its extended schema (which it sends after the ack)
   * has arrived too, so `schema` names the run and its configuration from the start.
   */
  static connect(url: string, options: ConnectOptions = {}): Promise<HermesClient> {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    if (!Ctor) return Promise.reject(new Error('no WebSocket implementation: pass one in options.WebSocket (in Node: the ws package)'))
    const socket = new Ctor(url)
    const client = new HermesClient(socket)
    const timeoutMs = options.timeoutMs ?? 10_000
    return new Promise<HermesClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no schema from ${url} within ${timeoutMs} ms`))
        socket.close()
      }, timeoutMs)
      let settled = false
      const fail = (message: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(new Error(message))
      }
      socket.addEventListener('error', () => fail(`cannot connect to ${url}`))
      socket.addEventListener('close', (e: { code: number; reason: string }) => fail(`connection to ${url} closed (code ${e.code}${e.reason ? `: ${e.reason}` : ''})`))
      const off = client.on('schema', () => {
        off()
        const extendedSchema = (ack: Ack<'hello'>): Promise<void> | undefined => (ack.extensions.includes('schema') && client.schema.run_id === undefined ? client.nextSchema() : undefined)
        const ready = options.hello === false ? Promise.resolve() : client.hello().then(extendedSchema, () => undefined)
        void ready.then(() => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(client)
          setTimeout(() => client.deliverEarly(), 0)
        })
      })
    })
  }

  private nextSchema(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.on('schema', () => {
        off()
        resolve()
      })
    })
  }

  on<K extends keyof ClientEvents>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    const entry = set
    entry.add(listener)
    return () => entry.delete(listener)
  }

  /** Fully qualified names of every signal in the schema, in schema order. */
  get signals(): string[] {
    return Object.entries(this.schema.modules).flatMap(([module, m]) => m.signals.map((s) => `${module}.${s.name}`))
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === 1
  }

  /** Asks for the extended schema and request ids; against a seed 000 server this fails and changes nothing. */
  async hello(extensions?: Extension[]): Promise<Ack<'hello'>> {
    const ack = await this.request<'hello'>('hello', extensions ? { extensions } : {})
    this.extended = true
    this.actions = Array.isArray(ack.actions) ? ack.actions : []
    return ack
  }

  async subscribe(signals: string[], options: { rateHz?: number; encoding?: TelemetryEncoding } = {}): Promise<Ack<'subscribe'>> {
    const params: Record<string, unknown> = { signals }
    if (options.rateHz !== undefined) params.rate_hz = options.rateHz
    if (options.encoding !== undefined) params.encoding = options.encoding
    const ack = await this.request<'subscribe'>('subscribe', params)
    this.subscribed = ack.signals
    return ack
  }

  pause(): Promise<Ack<'pause'>> {
    return this.request('pause')
  }

  resume(): Promise<Ack<'resume'>> {
    return this.request('resume')
  }

  reset(): Promise<Ack<'reset'>> {
    return this.request('reset')
  }

  step(count = 1): Promise<Ack<'step'>> {
    return this.request('step', { count })
  }

  set(signal: string, value: number): Promise<Ack<'set'>> {
    return this.request('set', { signal, value })
  }

  subscribeStatus(rateHz: number): Promise<Ack<'subscribe_status'>> {
    return this.request('subscribe_status', { rate_hz: rateHz })
  }

  async status(): Promise<StatusMessage> {
    return (await this.send('status', {})) as StatusMessage
  }

  /** Round-trip time to the server, measured with the `ping` extension. */
  async ping(): Promise<{ rttMs: number; serverTime: number }> {
    const sent = performance.now()
    const pong = (await this.send('ping', { client_time: sent })) as PongMessage
    return { rttMs: performance.now() - sent, serverTime: pong.server_time }
  }

  /** A recorded run's past (the `history` extension); rejects with the server's error, e.g. a run not recorded. */
  async history(params: HistoryParams): Promise<HistoryMessage> {
    const body: Record<string, unknown> = { signals: params.signals, from: params.from, to: params.to }
    if (params.maxPoints !== undefined) body.max_points = params.maxPoints
    return (await this.send('history', body)) as HistoryMessage
  }

  /** The run's markers (the `timeline` extension): commands, state changes, faults and notes. */
  async timeline(): Promise<TimelineMessage> {
    return (await this.send('timeline', {})) as TimelineMessage
  }

  /** Adds a note at the run's current time (the `note` extension). */
  note(text: string): Promise<Ack<'note'>> {
    return this.request('note', { text })
  }

  /** A replay: plays from the recorded frame at or after `time`. */
  seek(time: number): Promise<Ack<'seek'>> {
    return this.request('seek', { time })
  }

  /** A replay: the playback speed, 0.1 to 100 times real time, or as fast as possible. */
  speed(factor: ReplaySpeed): Promise<Ack<'speed'>> {
    return this.request('speed', { factor })
  }

  close(code = 1000, reason = ''): void {
    this.closed = true
    this.socket.close(code, reason)
  }

  private async request<A extends AckMessage['action']>(action: A, params: Record<string, unknown> = {}): Promise<Ack<A>> {
    return (await this.send(action, params)) as Ack<A>
  }

  private send(action: string, params: Record<string, unknown>): Promise<Reply> {
    if (!this.isOpen) return Promise.reject(new HermesCommandError('not connected', action))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.push({ action, id, resolve, reject })
      this.socket.send(JSON.stringify(Object.keys(params).length > 0 ? { action, params, id } : { action, id }))
    })
  }

  /** With `ids` the server echoes our id; without (a seed 000 server), replies come in request order. */
  private takePending(id: RequestId | undefined): Pending | undefined {
    if (id !== undefined) {
      const index = this.pending.findIndex((p) => p.id === id)
      if (index >= 0) return this.pending.splice(index, 1)[0]
    }
    return this.pending.shift()
  }

  /** What came while connecting, to the listeners registered once connect resolved (see `early`). */
  private deliverEarly(): void {
    const early = this.early ?? []
    this.early = null
    for (const e of early) {
      if (e.type === 'event') this.emit('event', e.value)
      else this.emit('note', e.value)
    }
  }

  private emit<K extends keyof ClientEvents>(type: K, value: ClientEvents[K]): void {
    // Each set only ever holds listeners registered under its own event type.
    const set = this.listeners.get(type) as Set<Listener<K>> | undefined
    if (set) for (const listener of set) listener(value)
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.onBinary(data)
      return
    }
    let message: ServerMessage
    try {
      message = JSON.parse(data) as ServerMessage
    } catch {
      return
    }
    switch (message.type) {
      case 'schema':
        this.schema = message
        this.emit('schema', message)
        break
      case 'event':
        // A note is an extension's event, not one of seed 000's: it has a listener of its own.
        if ((message as { event: string }).event === 'note') {
          const note = message as unknown as NoteEventMessage
          if (this.early) this.early.push({ type: 'note', value: note })
          else this.emit('note', note)
        } else if (this.early) this.early.push({ type: 'event', value: message })
        else this.emit('event', message)
        break
      case 'ack':
      case 'pong':
      case 'history':
      case 'timeline':
        this.takePending(message.id)?.resolve(message)
        break
      case 'error':
        this.onError(message)
        break
      case 'status':
        // A reply to status() carries its id (or is next in line); pushed statuses do not.
        if (message.id !== undefined || this.pending[0]?.action === 'status') this.takePending(message.id)?.resolve(message)
        else this.emit('status', message)
        break
      case 'telemetry':
        this.emit('frame', { frame: message.frame, time: message.time, values: Float64Array.from(message.values, (v) => v ?? NaN) })
        break
    }
  }

  private onError(message: ErrorMessage): void {
    const pending = this.takePending(message.id)
    pending?.reject(new HermesCommandError(message.message, message.action ?? pending.action))
  }

  private onBinary(data: unknown): void {
    try {
      const bytes = data instanceof ArrayBuffer ? data : ArrayBuffer.isView(data) ? data : null
      if (!bytes) return
      const frame = decodeHert(bytes)
      this.emit('frame', { frame: Number(frame.frame), time: frame.time, values: frame.values })
    } catch (error) {
      this.emit('badFrame', error instanceof Error ? error.message : String(error))
    }
  }

  private onClose(code: number, reason: string): void {
    this.closed = true
    for (const p of this.pending.splice(0)) p.reject(new HermesCommandError(`connection closed (code ${code})`, p.action))
    this.emit('close', { code, reason })
  }
}
