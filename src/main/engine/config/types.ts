// The validated, resolved form of a configuration: plain data, safe to post to a worker thread.
import type { SignalLimits } from '../../../shared/protocol/messages'

export type ModuleType = 'inproc' | 'script' | 'process'
export type ExecutionMode = 'afap' | 'realtime' | 'single_frame'
export const SIGNAL_TYPES = ['f64', 'f32', 'i64', 'i32', 'bool'] as const
export type SignalType = (typeof SIGNAL_TYPES)[number]

export interface ResolvedSignal {
  /** Local name inside its module, dots allowed: `position.x`. */
  name: string
  /** `<module>.<name>`: the name clients subscribe to and wires refer to. */
  qualified: string
  type: SignalType
  unit: string
  writable: boolean
  published: boolean
  /** Value the slot holds after stage and after every reset. */
  initial: number
  description: string
  /** The YAML's `limits`, present only when it gives some (the console colours and alarms on them). */
  limits?: SignalLimits
}

export interface ResolvedModule {
  name: string
  type: ModuleType
  model: string | null
  script: string | null
  executable: string | null
  /** The module's own config file (Hermes `config:` key), resolved against the YAML's folder. */
  configFile: string | null
  options: Record<string, unknown>
  signals: ResolvedSignal[]
  /** Script and process modules: seconds one exchange (init excepted) may take before the module counts as hung. */
  timeoutS: number
}

export interface ResolvedWire {
  src: string
  dst: string
  gain: number
  offset: number
}

export interface ScheduleEntry {
  module: string
  /** How often the module steps per frame: module rate / frame rate, an integer >= 1. */
  substeps: number
}

export interface ResolvedExecution {
  mode: ExecutionMode
  rateHz: number
  dtNs: number
  endTime: number | null
  endTimeNs: number | null
  startPaused: boolean
  schedule: ScheduleEntry[]
  /** execution.on_module_error as written; null: pause when serving, stop when not (see faultPolicy). */
  onModuleError: ModuleErrorPolicy | null
}

/** pause: the run pauses and waits for a reset; stop: the run ends; restart: the module restarts and the run goes on. */
export type ModuleErrorPolicy = 'pause' | 'stop' | 'restart'

export interface ResolvedServer {
  enabled: boolean
  host: string
  port: number
  telemetryHz: number
  allowedOrigins: string[]
  /** Host header names accepted besides loopback and the bound address (DNS rebinding defence). */
  allowedHosts: string[]
  /** WebSocket connections accepted at once; more are refused with HTTP 503. */
  maxClients: number
  /** Seconds between keepalive pings to each client; 0 sends none. */
  keepaliveS: number
  /** A ping unanswered this long closes the client with 4000. */
  pingTimeoutS: number
}

export interface ResolvedConsole {
  /** Absolute path of the layout file the configuration ships, or null. */
  layoutFile: string | null
  /** Its content, parsed as JSON (the console validates it as a layout); null when none or not read. */
  layout: unknown
}

export interface ResolvedRecording {
  /** Null: record when the run is served (the CLI's --serve, the desktop app); --record and --no-record decide too. */
  enabled: boolean | null
  /** Absolute: a .mcap file, or a folder that gets one file per run; null: the caller's default folder. */
  path: string | null
  /** Patterns of published signals to record (seed 000's rules). */
  signals: string[]
  /** lz4 (fast, the default), zstd (smaller files, slower) or none. */
  compression: 'lz4' | 'zstd' | 'none'
  /** Retention in a folder: oldest recordings are deleted beyond this total (the one being written never). */
  maxTotalBytes: number
}

export interface ResolvedConfig {
  /** Absolute path of the YAML file, or null for a config built in code. */
  file: string | null
  version: string
  modules: ResolvedModule[]
  wires: ResolvedWire[]
  execution: ResolvedExecution
  server: ResolvedServer
  console: ResolvedConsole
  recording: ResolvedRecording
}
