// The configuration a replay serves, rebuilt from the recording's own schema (not its YAML, which may be
// missing or changed since): the recorded signals only, the recorded mode, rates, wiring and layout.
import type { ResolvedConfig, ResolvedModule, ResolvedSignal, SignalType, ModuleType, ExecutionMode } from '../config/types'
import { SIGNAL_TYPES } from '../config/types'
import type { SchemaMessage } from '../../../shared/protocol/messages'
import { DEFAULT_KEEPALIVE_S, DEFAULT_MAX_CLIENTS, DEFAULT_PING_TIMEOUT_S } from '../server/server'
import type { RecordingReader } from '../recording/reader'

export interface ReplayServerSettings {
  host: string
  port: number
  allowedOrigins?: readonly string[]
  allowedHosts?: readonly string[]
}

const MODULE_TYPES: readonly string[] = ['inproc', 'script', 'process']
const MODES: readonly string[] = ['afap', 'realtime', 'single_frame']

/** The recorded schema, or why the recording has none a replay can serve. */
export function recordedSchema(reader: RecordingReader): SchemaMessage {
  let schema: unknown
  try {
    schema = JSON.parse(reader.info.schema)
  } catch (error) {
    throw new Error(`${reader.file}: its recorded schema is not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (typeof schema !== 'object' || schema === null || typeof (schema as SchemaMessage).modules !== 'object') throw new Error(`${reader.file}: its recorded schema lists no modules`)
  return schema as SchemaMessage
}

/**
 * A configuration whose schema (buildSchema) is the recorded one, limited to the signals the file holds:
 * the server then serves a replay as it serves a run. Modules are never built from it.
 */
export function configFromRecording(reader: RecordingReader, server: ReplayServerSettings): ResolvedConfig {
  const schema = recordedSchema(reader)
  const recorded = new Set(reader.signals.map((s) => s.name))
  const info = reader.info
  const modules: ResolvedModule[] = Object.entries(schema.modules).map(([name, m]) => ({
    name,
    type: (MODULE_TYPES.includes(m.kind ?? '') ? m.kind : 'inproc') as ModuleType,
    model: m.model ?? null,
    script: null,
    executable: null,
    configFile: null,
    options: {},
    timeoutS: 0,
    signals: m.signals
      .filter((s) => recorded.has(`${name}.${s.name}`))
      .map(
        (s): ResolvedSignal => ({
          name: s.name,
          qualified: `${name}.${s.name}`,
          type: ((SIGNAL_TYPES as readonly string[]).includes(s.type) ? s.type : 'f64') as SignalType,
          unit: s.unit ?? '',
          writable: s.writable ?? false,
          published: true,
          initial: 0,
          description: s.description ?? '',
          ...(s.limits ? { limits: s.limits } : {})
        })
      )
  }))
  const rateHz = schema.rate_hz ?? info.rateHz
  const endTime = schema.end_time ?? null
  return {
    file: schema.config ?? (info.configFile || null),
    version: '1',
    modules,
    wires: (schema.wiring ?? []).filter((w) => recorded.has(w.src) && recorded.has(w.dst)),
    execution: {
      mode: (MODES.includes(schema.mode ?? '') ? schema.mode : 'realtime') as ExecutionMode,
      rateHz,
      dtNs: schema.dt_ns ?? info.dtNs,
      endTime,
      endTimeNs: endTime === null ? null : Math.round(endTime * 1e9),
      startPaused: false,
      schedule: modules.map((m) => ({ module: m.name, substeps: Math.max(1, Math.round((schema.modules[m.name]?.rate_hz ?? rateHz) / rateHz)) })),
      onModuleError: null
    },
    server: {
      enabled: true,
      host: server.host,
      port: server.port,
      telemetryHz: schema.telemetry_hz ?? info.telemetryHz,
      allowedOrigins: [...(server.allowedOrigins ?? [])],
      allowedHosts: [...(server.allowedHosts ?? [])],
      maxClients: DEFAULT_MAX_CLIENTS,
      keepaliveS: DEFAULT_KEEPALIVE_S,
      pingTimeoutS: DEFAULT_PING_TIMEOUT_S
    },
    console: { layoutFile: null, layout: schema.console_layout ?? null },
    recording: { enabled: false, path: null, signals: [], compression: 'zstd', maxTotalBytes: 0 }
  }
}
