// The binary protocol between the engine and a process module over its standard input and output
// (docs/modules.md describes it byte by byte). Pure functions on buffers, shared by every side of the engine.
import { parseDeclaration, type ModuleDeclaration } from '../declaration'

export const PROTOCOL_VERSION = 1

/** Every message starts with a 4-byte ASCII tag and a u32 payload length, little-endian. */
export const HEADER_BYTES = 8

const tag = (text: string): number => Buffer.from(text, 'ascii').readUInt32LE(0)

/** Engine to module. */
export const INIT = tag('INIT')
export const STAG = tag('STAG')
export const STEP = tag('STEP')
export const RSET = tag('RSET')
export const TERM = tag('TERM')
/** Module to engine. */
export const HELO = tag('HELO')
export const DONE = tag('DONE')
export const FAIL = tag('FAIL')

/** STEP payload before the inputs: u64 frame, i64 time_ns, f64 time, f64 dt. */
export const STEP_FIELDS_BYTES = 32

/** Larger payloads are taken as garbage rather than allocated. */
export const MAX_HELLO_BYTES = 1 << 20
export const MAX_FAIL_BYTES = 1 << 16

const REPLY_TAGS = new Map([
  [HELO, 'HELO'],
  [DONE, 'DONE'],
  [FAIL, 'FAIL']
])

export function tagName(value: number): string | undefined {
  return REPLY_TAGS.get(value)
}

/** A byte string as a person can check it: hex, and the printable text it might be. */
export function showBytes(bytes: Uint8Array, max = 24): string {
  const shown = bytes.subarray(0, max)
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ')
  const text = Array.from(shown, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0a ? '\\n' : '.')).join('')
  return `${hex}${bytes.length > max ? ' ...' : ''} ("${text}")`
}

/** Why a reply header cannot start a valid reply, or null when it can. */
export function badReplyHeader(header: Uint8Array, expected: readonly number[]): string | null {
  const view = Buffer.from(header.buffer, header.byteOffset, HEADER_BYTES)
  const value = view.readUInt32LE(0)
  const length = view.readUInt32LE(4)
  const name = tagName(value)
  if (name === undefined || !expected.includes(value)) {
    const wanted = expected.map((t) => tagName(t)).join(' or ')
    return `it wrote bytes that are not a protocol message where ${wanted} was expected: ${showBytes(header)}`
  }
  const limit = value === HELO ? MAX_HELLO_BYTES : value === FAIL ? MAX_FAIL_BYTES : Infinity
  if (length > limit) return `it announced a ${name} of ${length} bytes, more than the ${limit} allowed: ${showBytes(header)}`
  return null
}

export function writeHeader(buffer: Buffer, tagValue: number, payloadBytes: number): void {
  buffer.writeUInt32LE(tagValue, 0)
  buffer.writeUInt32LE(payloadBytes, 4)
}

export interface InitSignal {
  name: string
  initial: number
}

/**
 * INIT: u32 inputs, u32 outputs, f64 initial value of each (inputs first), then each name
 * NUL-terminated in UTF-8 (inputs first). Inputs are the module's writable signals, outputs the rest.
 */
export function encodeInit(inputs: readonly InitSignal[], outputs: readonly InitSignal[]): Buffer {
  const all = [...inputs, ...outputs]
  const names = all.map((s) => Buffer.from(`${s.name}\0`, 'utf8'))
  const payload = 8 + 8 * all.length + names.reduce((n, b) => n + b.length, 0)
  const buffer = Buffer.alloc(HEADER_BYTES + payload)
  writeHeader(buffer, INIT, payload)
  buffer.writeUInt32LE(inputs.length, 8)
  buffer.writeUInt32LE(outputs.length, 12)
  all.forEach((s, i) => buffer.writeDoubleLE(s.initial, 16 + 8 * i))
  let at = 16 + 8 * all.length
  for (const name of names) at += name.copy(buffer, at)
  return buffer
}

/** HELO: a UTF-8 JSON object `{"protocol": 1, "signals": [...]}`; the signals as a YAML module lists them. */
export function parseHello(payload: Uint8Array): ModuleDeclaration {
  let message: unknown
  try {
    message = JSON.parse(Buffer.from(payload).toString('utf8'))
  } catch (error) {
    throw new Error(`its HELO is not valid JSON (${error instanceof Error ? error.message : String(error)}): ${showBytes(payload, 48)}`)
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) throw new Error('its HELO is not a JSON object')
  const fields = message as Record<string, unknown>
  if (fields.protocol !== PROTOCOL_VERSION) {
    throw new Error(`it speaks protocol ${JSON.stringify(fields.protocol)}, this engine speaks ${PROTOCOL_VERSION}`)
  }
  return parseDeclaration(fields.signals)
}
