// The JSON messages of the Hermes protocol (seed 000) and our additive, opt-in extensions.
// Field names and strings of seed 000 are literal; extension fields only reach clients that said `hello`.

export type RunState = 'running' | 'paused' | 'ended'

/** One signal in a schema; seed 000 has name and type; unit and writable are in every schema (as in Hermes phase 3), description with the `schema` extension. */
export interface SchemaSignal {
  name: string
  type: string
  unit?: string
  writable?: boolean
  description?: string
  /** Extension: the signal's limits from the configuration, only when it has some (docs/configuration.md). */
  limits?: SignalLimits
}

/** A signal's bounds, `[lo, hi]` each inclusive and null when open; a value outside warn is a warning, outside alarm an alarm. */
export interface SignalLimits {
  warn?: LimitRange
  alarm?: LimitRange
}

export type LimitRange = [number | null, number | null]

export interface SchemaModule {
  signals: SchemaSignal[]
  /** Extension: the module's kind (`inproc`, `script`, `process`) and model. */
  kind?: string
  model?: string | null
  /** Extension: how often the module steps, in Hz. */
  rate_hz?: number
}

export interface SchemaWire {
  src: string
  dst: string
  gain: number
  offset: number
}

export interface SchemaMessage {
  type: 'schema'
  modules: Record<string, SchemaModule>
  // Extension fields:
  run_id?: string
  config?: string | null
  mode?: string
  rate_hz?: number
  dt_ns?: number
  end_time?: number | null
  telemetry_hz?: number
  state?: RunState
  frame?: number
  time?: number
  /** Extension: the module fault the run is in (it paused or ended there), or null. */
  fault?: ModuleFault | null
  wiring?: SchemaWire[]
  /** The console layout the configuration ships (`console.layout`), as its JSON: consoles validate it. */
  console_layout?: unknown
  /** Extension: present only when the server replays a recording (`hermes replay`); a console tells a replay by it. */
  replay?: ReplayInfo
  /** Extension: the file the run records into (absolute path), or null when it is not recorded (a replay is not). */
  recording?: { file: string } | null
}

/** What a replay serves: the file, the current segment's span (simulated s) and the playback speed. */
export interface ReplayInfo {
  file: string
  from: number
  to: number
  speed: ReplaySpeed
  /** The segment being played (0, then one more after each recorded reset) and how many the file has. */
  segment: number
  segments: number
}

export type ReplaySpeed = number | 'afap'

/** A module that failed: its name, the frame it failed at, and what happened. Cleared by a reset or restart. */
export interface ModuleFault {
  module: string
  frame: number
  message: string
}

export type AckMessage =
  | { type: 'ack'; action: 'subscribe'; count: number; signals: string[]; rate_hz?: number; encoding?: TelemetryEncoding; id?: RequestId }
  | { type: 'ack'; action: 'pause' | 'resume' | 'reset'; id?: RequestId }
  /** `stepped`: only on a step that pause, resume, reset, a fault or end_time ended early, the frames it ran. */
  | { type: 'ack'; action: 'step'; count: number; frame: number; stepped?: number; id?: RequestId }
  | { type: 'ack'; action: 'set'; signal: string; value: number; id?: RequestId }
  | { type: 'ack'; action: 'hello'; server: string; extensions: Extension[]; actions: Action[]; id?: RequestId }
  | { type: 'ack'; action: 'status'; id?: RequestId }
  | { type: 'ack'; action: 'subscribe_status'; rate_hz: number; id?: RequestId }
  | { type: 'ack'; action: 'note' | 'seek'; frame: number; time: number; id?: RequestId }
  | { type: 'ack'; action: 'speed'; factor: ReplaySpeed; id?: RequestId }

/** `paused`, `running` and `reset` are seed 000's; `ended`: end_time was reached; `error`: a module failed and the run paused. */
export interface EventMessage {
  type: 'event'
  event: 'paused' | 'running' | 'reset' | 'ended' | 'error'
  // Present on `ended` and `fault` only:
  frame?: number
  time?: number
  module?: string
  message?: string
}

export interface ErrorMessage {
  type: 'error'
  message: string
  /** Extension: the action the error answers, and the request id the client gave. */
  action?: string
  id?: RequestId
}

/** Extension `ping`: the server's clock, to measure round-trip time. */
export interface PongMessage {
  type: 'pong'
  id?: RequestId
  /** Whatever the client sent as params.client_time, echoed. */
  client_time?: number
  /** Server wall clock, ms since the epoch. */
  server_time: number
}

/**
 * Extension `history`: a recorded run's past (docs/protocol.md). `full`: every sample (`time`, `values`);
 * `minmax`: per bucket of the range, its start time and the min and max of each signal (null: no frame).
 */
export interface HistoryMessage {
  type: 'history'
  id?: RequestId
  from: number
  to: number
  mode: 'full' | 'minmax'
  signals: string[]
  frames: number
  time: number[]
  values?: Record<string, number[]>
  min?: Record<string, (number | null)[]>
  max?: Record<string, (number | null)[]>
}

export interface ModuleStatus {
  name: string
  /** Mean wall time of one step of this module over the last status period, µs. */
  step_us: number
}

/** Extension `status` (seed 002's status broadcast). */
export interface StatusMessage {
  type: 'status'
  run_id: string
  state: RunState
  frame: number
  time: number
  /** Simulated seconds per wall second over the last status period. */
  realtime_factor: number
  frames_per_second: number
  modules: ModuleStatus[]
  clients: number
  /** Telemetry frames skipped for this client because its socket was backed up. */
  skipped_frames: number
  /** Telemetry frames skipped for all clients since the server started. */
  skipped_frames_total: number
  /** Clients closed since the server started for not answering a ping within server.ping_timeout_s (code 4000). */
  clients_timed_out: number
  /** The module fault the run is in, or null (a reset, or a restart under on_module_error: restart, clears it). */
  fault: ModuleFault | null
  id?: RequestId
}

/** Extension: telemetry as JSON for clients that cannot read binary (`encoding: "json"` in subscribe). */
export interface TelemetryJsonMessage {
  type: 'telemetry'
  frame: number
  time: number
  /** NaN and ±Infinity have no JSON form: they arrive as null. */
  values: (number | null)[]
}

/** One thing on a run's timeline: a client's command, a change of run state, a module fault, a note. */
export interface TimelineMarker {
  /** Simulated seconds of the current segment, and the frame. */
  time: number
  frame: number
  kind: 'command' | 'state' | 'fault' | 'note'
  /** Short text: 'pause by client 3', 'set controller.input = 2 by client 3', 'fault in m: ...', a note's text. */
  label: string
  /** The client that caused it, as the recording names it ('client 3 (127.0.0.1:50312)'), when one did. */
  client?: string
}

/** Extension `timeline`: the markers of the current segment, in time order, the newest 10,000 at most. */
export interface TimelineMessage {
  type: 'timeline'
  from: number
  to: number
  markers: TimelineMarker[]
  /** Only when older markers were left out. */
  truncated?: true
  id?: RequestId
}

/**
 * Extension: a note a client added (`note`), sent to every client that said `hello`. Not in ServerMessage
 * (whose `event` clients switch on seed 000's events): a console that wants notes checks `event === 'note'`.
 */
export interface NoteEventMessage {
  type: 'event'
  event: 'note'
  text: string
  client: string
  frame: number
  time: number
}

export type ServerMessage = SchemaMessage | AckMessage | EventMessage | ErrorMessage | PongMessage | StatusMessage | TelemetryJsonMessage | HistoryMessage | TimelineMessage

export type RequestId = string | number
export type TelemetryEncoding = 'binary' | 'json'
/**
 * What `hello` switches on for its connection: `schema` sends the extended schema (now, and again on
 * every reset or reload), `ids` echoes a command's `id` and `action` in its ack or error. The extension
 * actions (ping, status, subscribe_status) and subscribe options need no hello: using them is asking.
 */
export type Extension = 'schema' | 'ids'
export const EXTENSIONS: readonly Extension[] = ['schema', 'ids']

/** The actions of seed 000, then ours. */
export const SEED_ACTIONS = ['subscribe', 'pause', 'resume', 'reset', 'step', 'set'] as const
export const EXTENSION_ACTIONS = ['hello', 'ping', 'status', 'subscribe_status', 'history'] as const
/** Listed in the hello ack only where served: timeline and note on a recorded run, timeline, seek and speed in a replay. */
export const RECORDED_ACTIONS = ['timeline', 'note'] as const
export const REPLAY_ACTIONS = ['timeline', 'seek', 'speed'] as const
export type Action = (typeof SEED_ACTIONS)[number] | (typeof EXTENSION_ACTIONS)[number] | (typeof RECORDED_ACTIONS)[number] | (typeof REPLAY_ACTIONS)[number]

export interface Command {
  action: Action
  params?: Record<string, unknown>
  id?: RequestId
}
