// The `schema` message: seed 000's grouping under the config's module names, plus extension metadata.
import type { ResolvedConfig } from '../config/types'
import type { ModuleFault, RunState, SchemaMessage, SchemaModule, SchemaWire } from '../../../shared/protocol/messages'

export interface RunInfo {
  runId: string
  state: RunState
  frame: number
  timeNs: number
  /** The module fault the run is in, or null. */
  fault: ModuleFault | null
  /** The file the run records into (absolute), or null: not recorded (a replay never is). */
  recordingFile?: string | null
}

/** Qualified names of the signals clients may see, in backplane order. */
export function publishedNames(config: ResolvedConfig): string[] {
  return config.modules.flatMap((m) => m.signals.filter((s) => s.published).map((s) => s.qualified))
}

/** The wires between published signals (a wire touching a hidden signal would reveal it). */
function visibleWiring(config: ResolvedConfig): SchemaWire[] {
  const visible = new Set(publishedNames(config))
  return config.wires.filter((w) => visible.has(w.src) && visible.has(w.dst)).map((w) => ({ src: w.src, dst: w.dst, gain: w.gain, offset: w.offset }))
}

/**
 * Seed 000's schema when `run` is null, with additive fields as Hermes's phase-3 server sends them (unit
 * and writable per signal, the wiring list); with `run`, the extended one for clients that said hello.
 */
export function buildSchema(config: ResolvedConfig, run: RunInfo | null): SchemaMessage {
  const modules: Record<string, SchemaModule> = {}
  const substeps = new Map(config.execution.schedule.map((e) => [e.module, e.substeps]))
  for (const m of config.modules) {
    const signals = m.signals.filter((s) => s.published)
    if (!run) {
      modules[m.name] = { signals: signals.map((s) => ({ name: s.name, type: s.type, unit: s.unit, writable: s.writable })) }
      continue
    }
    modules[m.name] = {
      signals: signals.map((s) => ({ name: s.name, type: s.type, unit: s.unit, writable: s.writable, description: s.description, ...(s.limits ? { limits: s.limits } : {}) })),
      kind: m.type,
      model: m.model,
      rate_hz: config.execution.rateHz * (substeps.get(m.name) ?? 1)
    }
  }
  if (!run) return { type: 'schema', modules, wiring: visibleWiring(config) }
  return {
    type: 'schema',
    modules,
    run_id: run.runId,
    config: config.file,
    mode: config.execution.mode,
    rate_hz: config.execution.rateHz,
    dt_ns: config.execution.dtNs,
    end_time: config.execution.endTime,
    telemetry_hz: config.server.telemetryHz,
    state: run.state,
    frame: run.frame,
    time: run.timeNs / 1e9,
    fault: run.fault,
    recording: run.recordingFile ? { file: run.recordingFile } : null,
    wiring: visibleWiring(config),
    ...(config.console.layout !== null ? { console_layout: config.console.layout } : {})
  }
}
