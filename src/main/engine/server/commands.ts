// Parses one text message from a client into a command, with seed 000's error strings, checked in the
// anchor's order: JSON, object, action, params, known action, then each action's own params.
import { MAX_STEP_COUNT } from '../scheduler/control'
import { MAX_HISTORY_POINTS, MAX_HISTORY_S, MAX_HISTORY_VALUES } from '../recording/history'
import { noteText } from '../recording/timeline'
import { EXTENSIONS, type Extension, type ReplaySpeed, type RequestId, type TelemetryEncoding } from '../../../shared/protocol/messages'
import { boundedText, escapeControl, previewValue, TRUNCATION_MARKER } from '../../../shared/text/bounded'

export type ParsedCommand =
  | { action: 'subscribe'; signals: string[]; rateHz: number | null; encoding: TelemetryEncoding | null }
  | { action: 'pause' | 'resume' | 'reset' | 'status' }
  | { action: 'step'; count: number; countGiven: boolean }
  | { action: 'set'; signal: string; value: number }
  | { action: 'hello'; extensions: Extension[] }
  | { action: 'ping'; clientTime: number | null }
  | { action: 'subscribe_status'; rateHz: number }
  | { action: 'history'; signals: string[]; from: number; to: number; maxPoints: number }
  | { action: 'timeline' }
  | { action: 'note'; text: string }
  | { action: 'seek'; time: number; segment: number | null }
  | { action: 'speed'; factor: ReplaySpeed }

export type ParseResult =
  | { ok: true; command: ParsedCommand; id: RequestId | undefined }
  | { ok: false; message: string; action: string | undefined; id: RequestId | undefined }

type Params = Record<string, unknown>

const isObject = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v)
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** How much of a client's text an error message or a log line shows. */
export const ECHO_CHARS = 100

/**
 * A client's value as an error message shows it: a short scalar as JSON (seed 000 shows `"1.5"` and
 * `null`), anything else as its type and a bounded preview. Never serialises the value whole: a value
 * nested 10,000 deep overflows JSON.stringify's stack.
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = escapeControl(JSON.stringify(value.length > ECHO_CHARS ? value.slice(0, ECHO_CHARS) : value))
    return value.length > ECHO_CHARS ? `${shown}${TRUNCATION_MARKER} (${value.length} characters)` : shown
  }
  // As JSON would show it: Infinity (what 1e400 parses to) and NaN are null.
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value)
  return previewValue(value, ECHO_CHARS)
}

/** A client's name (an action, a signal) as an error message shows it: controls escaped, bounded. */
export const showName = (name: string): string => boundedText(name, ECHO_CHARS)

/** A replay's playback speed, as a factor of real time: from MIN_SPEED to MAX_SPEED, or 'afap'. */
export const MIN_SPEED = 0.1
export const MAX_SPEED = 100

/** Thrown inside per-action parsers; turned into an error reply. */
class Invalid extends Error {}

function positiveRate(params: Params, key: string, what: string): number | null {
  const value = params[key]
  if (value === undefined) return null
  if (!isFiniteNumber(value) || value <= 0) throw new Invalid(`${what} '${key}' must be a positive number`)
  return value
}

function parseAction(action: string, params: Params): ParsedCommand {
  switch (action) {
    case 'pause':
    case 'resume':
    case 'reset':
    case 'status':
      return { action }
    case 'step': {
      const count = params.count
      if (count === undefined) return { action, count: 1, countGiven: false }
      // JSON has no integer type: 2.0 arrives as 2 and is accepted; true is not a count (the anchor's BUG).
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) throw new Invalid("step 'count' must be a positive integer")
      if (count > MAX_STEP_COUNT) throw new Invalid(`step 'count' must be at most ${MAX_STEP_COUNT}`)
      return { action, count, countGiven: true }
    }
    case 'set': {
      if (!('signal' in params)) throw new Invalid("set command requires 'signal' param")
      if (!('value' in params)) throw new Invalid("set command requires 'value' param")
      if (typeof params.signal !== 'string') throw new Invalid("set 'signal' must be a string")
      if (!isFiniteNumber(params.value)) throw new Invalid(`Invalid value: ${showValue(params.value)} (expected a finite number)`)
      return { action, signal: params.signal, value: params.value }
    }
    case 'subscribe': {
      if (!('signals' in params)) throw new Invalid("subscribe command requires 'signals' param")
      const signals = params.signals
      if (!Array.isArray(signals)) throw new Invalid("subscribe 'signals' must be a list")
      if (!signals.every((s): s is string => typeof s === 'string')) throw new Invalid("subscribe 'signals' must contain only strings")
      const encoding = params.encoding
      if (encoding !== undefined && encoding !== 'binary' && encoding !== 'json') throw new Invalid("subscribe 'encoding' must be \"binary\" or \"json\"")
      return { action, signals, rateHz: positiveRate(params, 'rate_hz', 'subscribe'), encoding: encoding ?? null }
    }
    case 'hello': {
      const wanted = params.extensions
      if (wanted === undefined) return { action, extensions: [...EXTENSIONS] }
      if (!Array.isArray(wanted) || !wanted.every((e) => typeof e === 'string')) throw new Invalid("hello 'extensions' must be a list of strings")
      return { action, extensions: EXTENSIONS.filter((e) => wanted.includes(e)) }
    }
    case 'ping': {
      const clientTime = params.client_time
      if (clientTime !== undefined && !isFiniteNumber(clientTime)) throw new Invalid("ping 'client_time' must be a number")
      return { action, clientTime: clientTime ?? null }
    }
    case 'subscribe_status': {
      const rate = positiveRate(params, 'rate_hz', 'subscribe_status')
      return { action, rateHz: rate ?? 1 }
    }
    case 'history': {
      const { signals, from, to } = params
      if (!Array.isArray(signals) || signals.length === 0 || !signals.every((x) => typeof x === 'string')) throw new Invalid("history 'signals' must be a non-empty list of strings")
      if (!isFiniteNumber(from) || from < 0) throw new Invalid("history 'from' must be a number of seconds >= 0")
      if (!isFiniteNumber(to) || to < from) throw new Invalid("history 'to' must be a number of seconds >= 'from'")
      if (to > MAX_HISTORY_S) throw new Invalid(`history 'to' must be at most ${MAX_HISTORY_S} s`)
      const maxPoints = params.max_points ?? 1000
      if (typeof maxPoints !== 'number' || !Number.isSafeInteger(maxPoints) || maxPoints < 2 || maxPoints > MAX_HISTORY_POINTS) throw new Invalid(`history 'max_points' must be an integer from 2 to ${MAX_HISTORY_POINTS}`)
      if (signals.length * maxPoints > MAX_HISTORY_VALUES) throw new Invalid(`history asks for ${signals.length} signals x ${maxPoints} points; at most ${MAX_HISTORY_VALUES} values a reply`)
      return { action, signals, from, to, maxPoints }
    }
    case 'timeline':
      return { action }
    case 'note': {
      const text = noteText(params.text)
      if (!text.ok) throw new Invalid(text.message)
      return { action, text: text.text }
    }
    case 'seek': {
      const { time, segment } = params
      if (!isFiniteNumber(time)) throw new Invalid("seek 'time' must be a number of seconds")
      if (segment !== undefined && (typeof segment !== 'number' || !Number.isSafeInteger(segment) || segment < 0)) throw new Invalid("seek 'segment' must be an integer >= 0")
      return { action, time, segment: segment ?? null }
    }
    case 'speed': {
      const factor = params.factor
      if (factor !== 'afap' && (!isFiniteNumber(factor) || factor < MIN_SPEED || factor > MAX_SPEED)) throw new Invalid(`speed 'factor' must be a number from ${MIN_SPEED} to ${MAX_SPEED}, or "afap"`)
      return { action, factor }
    }
    default:
      throw new Invalid(`Unknown action: ${showName(action)}`)
  }
}

export function parseCommand(text: string): ParseResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    // V8's message quotes a piece of the text: bounded and escaped like any other echo.
    return { ok: false, message: `Invalid JSON: ${showName(error instanceof Error ? error.message : String(error))}`, action: undefined, id: undefined }
  }
  if (!isObject(data)) return { ok: false, message: 'Command must be a JSON object', action: undefined, id: undefined }
  const id = typeof data.id === 'string' || isFiniteNumber(data.id) ? data.id : undefined
  if (data.action === undefined || data.action === null) return { ok: false, message: "Command missing 'action' field", action: undefined, id }
  // The action is echoed in errors (with the ids extension): bounded, and a non-string one only described.
  const action = typeof data.action === 'string' ? data.action : showValue(data.action)
  if ('params' in data && !isObject(data.params)) return { ok: false, message: "Command 'params' must be an object", action, id }
  try {
    return { ok: true, command: parseAction(action, isObject(data.params) ? data.params : {}), id }
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message, action, id }
    throw error
  }
}
