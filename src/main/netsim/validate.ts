// Checks each message against the protocol (seed 000 plus our extensions) as it passes through the proxy.
import { decodeHert } from '../../shared/protocol/hert'
import { boundedText } from '../../shared/text/bounded'
import type { ServerMessage } from '../../shared/protocol/messages'
import { parseCommand } from '../engine/server/commands'
import type { Direction } from './conditions'

/** Every `type` a server may send; the check below fails to compile when messages.ts gains one. */
const SERVER_TYPES = ['schema', 'ack', 'event', 'error', 'pong', 'status', 'telemetry', 'history', 'timeline'] as const satisfies readonly ServerMessage['type'][]
type Unlisted = Exclude<ServerMessage['type'], (typeof SERVER_TYPES)[number]>
const everyTypeListed: [Unlisted] extends [never] ? true : Unlisted = true
void everyTypeListed

const serverTypes: ReadonlySet<string> = new Set(SERVER_TYPES)

export interface Inspection {
  /** The command's action (client to server), the message's type (server to client), `HERT`, or `invalid`. */
  label: string
  /** Telemetry (HERT frames, JSON `telemetry` messages) may be lost; control messages only when allowed. */
  telemetry: boolean
  /** What is wrong with the message, or null when it follows the protocol. */
  error: string | null
  /** An ack's action (the label is `ack`). */
  action?: string
  /** A HERT frame's header. Frame numbers beyond 2^53 stay exact as decimal strings. */
  frame?: number | string
  time?: number
  count?: number
}

/** A label (an action or a type, chosen by the sender) is kept this short in stats, recordings and logs. */
export const MAX_LABEL_CHARS = 64
/** A validation error (which may quote the message) is kept this short. */
export const MAX_ERROR_CHARS = 300

/**
 * Inspects one message and never throws: whatever the checks below do with a hostile message (a value
 * nested 10,000 deep, a megabyte action name), the proxy gets an answer, and what it keeps of the answer
 * is bounded, so no message costs more than its parse.
 */
export function inspectMessage(direction: Direction, data: Buffer, isBinary: boolean): Inspection {
  let inspection: Inspection
  try {
    inspection = inspect(direction, data, isBinary)
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { label: 'invalid', telemetry: direction === 'server_to_client' && isBinary, error: boundedText(`the validator failed on this ${data.byteLength}-byte message (${why}); forwarded unchecked`, MAX_ERROR_CHARS) }
  }
  inspection.label = boundedText(inspection.label, MAX_LABEL_CHARS)
  if (inspection.action !== undefined) inspection.action = boundedText(inspection.action, MAX_LABEL_CHARS)
  if (inspection.error !== null) inspection.error = boundedText(inspection.error, MAX_ERROR_CHARS)
  return inspection
}

function inspect(direction: Direction, data: Buffer, isBinary: boolean): Inspection {
  if (direction === 'client_to_server') {
    if (isBinary) return { label: 'invalid', telemetry: false, error: `binary message of ${data.byteLength} bytes from a client: commands are JSON text` }
    const parsed = parseCommand(data.toString('utf8'))
    if (parsed.ok) return { label: parsed.command.action, telemetry: false, error: null }
    // The server answers such a command with an error; the action label still says what was attempted.
    return { label: parsed.action ?? 'invalid', telemetry: false, error: parsed.message }
  }
  if (isBinary) {
    try {
      const frame = decodeHert(data)
      return { label: 'HERT', telemetry: true, error: null, frame: frame.frame <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(frame.frame) : frame.frame.toString(), time: frame.time, count: frame.values.length }
    } catch (error) {
      return { label: 'invalid', telemetry: true, error: `binary message is not a HERT frame: ${error instanceof Error ? error.message : String(error)}` }
    }
  }
  let json: unknown
  try {
    json = JSON.parse(data.toString('utf8'))
  } catch (error) {
    return { label: 'invalid', telemetry: false, error: `server text is not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { label: 'invalid', telemetry: false, error: 'server message is not a JSON object' }
  const { type, action } = json as Record<string, unknown>
  if (typeof type !== 'string') return { label: 'invalid', telemetry: false, error: "server message has no string 'type'" }
  if (!serverTypes.has(type)) return { label: type, telemetry: false, error: `unknown server message type '${type}'` }
  if (type === 'ack') {
    if (typeof action !== 'string') return { label: type, telemetry: false, error: "ack without a string 'action'" }
    return { label: type, telemetry: false, error: null, action }
  }
  return { label: type, telemetry: type === 'telemetry', error: null }
}
