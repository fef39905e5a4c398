// The recording file's layout (docs/recording.md): MCAP with one channel of frame batches and one of JSON events.
import type { RunState } from '../scheduler/control'
import { decodeGrouped, MAGIC_V2, MAGIC_V3, type DecodeScratch } from './batchCodec'

export { RECORDING_EXTENSION } from './extension'
export const PROFILE = 'hermes'
export const FRAMES_TOPIC = '/hermes/frames'
export const EVENTS_TOPIC = '/hermes/events'
export const FRAMES_ENCODING = 'hermes.frames.v1'
export const RUN_METADATA = 'hermes.run'
export const CONFIG_ATTACHMENT = 'config.yaml'
/** "HRF1": an older batch payload of byte planes starts with it; "HRF0": of plain float64s (no compression). */
const MAGIC = 0x31465248
const MAGIC_PLAIN = 0x30465248
export const BATCH_HEADER_BYTES = 16

/** One recorded signal, as the frames schema lists it (column order). */
export interface RecordedSignal {
  name: string
  unit: string
  type: string
}

/** What a recording says about its run (the hermes.run metadata record, values as strings in MCAP). */
export interface RunInfo {
  runId: string
  configFile: string
  rateHz: number
  dtNs: number
  telemetryHz: number
  startedAt: string
  /** Upper bound of the simulated time one batch spans: a range read starts this much earlier. */
  batchSpanNs: number
  /** The extended schema (docs/protocol.md) the server sent for this run, as JSON text. */
  schema: string
}

/**
 * A command a client sent, or something that happened in the run; each with the frame it acted on. In
 * the file each also has `segment` (0, then one more from each reset on); events are in the order they
 * happened (their MCAP sequence numbers), their log time is their frame's simulated time.
 */
export type RecordedEvent =
  | { kind: 'command'; action: 'pause' | 'resume' | 'reset' | 'step' | 'set'; client: string; frame: number; timeNs: number; signal?: string; value?: number; count?: number }
  | { kind: 'state'; state: RunState; reason: string; frame: number; timeNs: number }
  | { kind: 'fault'; module: string; message: string; action: string; frame: number; timeNs: number }
  | { kind: 'note'; text: string; client: string; frame: number; timeNs: number }

/** An event as the file holds it. */
export type StoredEvent = RecordedEvent & { segment: number }

/** A decoded batch: `count` frames of one segment (a reset starts the next), columns in schema order. */
export interface FrameBatch {
  segment: number
  /** Recording clock = timesNs + offsetNs: simulated time, continued across resets (0 before the first). */
  offsetNs: number
  frames: Float64Array
  timesNs: Float64Array
  columns: Float64Array[]
}

/**
 * Payloads: HRF3 (written now, batchCodec.ts: a min/max summary, then column groups compressed on their
 * own, the signals constant over the batch apart) and HRF2 (the same, every signal in its group); HRF1 (older recordings: the columns as 8 byte planes, in a zstd chunk) and HRF0 (older, plain
 * float64 columns): magic, count, signals, segment (u32 each), then `count` values per column.
 * `logTimeNs`: the message's log time, the recording clock of its first frame. With `scratch`, an HRF2/HRF3
 * batch's arrays are views of it, valid until the next decode with the same scratch.
 */
export function decodeBatch(payload: Uint8Array, logTimeNs: number, only?: readonly number[], scratch?: DecodeScratch): FrameBatch {
  if (payload.byteLength < BATCH_HEADER_BYTES) throw new Error(`frame batch of ${payload.byteLength} bytes is shorter than its header`)
  const head = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const magic = head.getUint32(0, true)
  if (magic === MAGIC_V2 || magic === MAGIC_V3) {
    const b = decodeGrouped(payload, only, scratch)
    return { ...b, offsetNs: b.timesNs.length > 0 ? logTimeNs - b.timesNs[0]! : 0 }
  }
  if (magic !== MAGIC && magic !== MAGIC_PLAIN) throw new Error('frame batch does not start with HRF3, HRF2, HRF1 or HRF0')
  const count = head.getUint32(4, true)
  const signals = head.getUint32(8, true)
  const segment = head.getUint32(12, true)
  const values = count * (signals + 2)
  if (payload.byteLength !== BATCH_HEADER_BYTES + values * 8) throw new Error(`frame batch of ${count} frames x ${signals} signals has ${payload.byteLength} bytes`)
  // Only the columns asked for (frame and time always): a history query of one signal decodes 3 columns, not all.
  const wanted = only ? [0, 1, ...only.map((c) => c + 2)] : Array.from({ length: signals + 2 }, (_, c) => c)
  const all = new Float64Array(values)
  const bytes = new Uint8Array(all.buffer)
  if (magic === MAGIC_PLAIN) bytes.set(payload.subarray(BATCH_HEADER_BYTES))
  else {
    for (const c of wanted) {
      for (let b = 0; b < 8; b++) {
        const plane = BATCH_HEADER_BYTES + b * values + c * count
        for (let k = 0, i = c * count; k < count; k++, i++) bytes[i * 8 + b] = payload[plane + k]!
      }
    }
  }
  const column = (c: number): Float64Array => all.subarray(c * count, (c + 1) * count)
  const timesNs = column(1)
  return { segment, offsetNs: count > 0 ? logTimeNs - timesNs[0]! : 0, frames: column(0), timesNs, columns: Array.from({ length: signals }, (_, s) => column(s + 2)) }
}

export function runInfoToMetadata(info: RunInfo): Map<string, string> {
  return new Map([
    ['run_id', info.runId],
    ['config_file', info.configFile],
    ['rate_hz', String(info.rateHz)],
    ['dt_ns', String(info.dtNs)],
    ['telemetry_hz', String(info.telemetryHz)],
    ['started_at', info.startedAt],
    ['batch_span_ns', String(info.batchSpanNs)],
    ['schema', info.schema]
  ])
}

export function runInfoFromMetadata(m: ReadonlyMap<string, string>): RunInfo {
  const num = (key: string): number => {
    const v = Number(m.get(key))
    if (!Number.isFinite(v)) throw new Error(`recording metadata '${key}' is not a number: ${m.get(key) ?? 'missing'}`)
    return v
  }
  return {
    runId: m.get('run_id') ?? '',
    configFile: m.get('config_file') ?? '',
    rateHz: num('rate_hz'),
    dtNs: num('dt_ns'),
    telemetryHz: num('telemetry_hz'),
    startedAt: m.get('started_at') ?? '',
    batchSpanNs: num('batch_span_ns'),
    schema: m.get('schema') ?? '{}'
  }
}
