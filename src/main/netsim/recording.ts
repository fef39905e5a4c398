// The message history: a ring of what passed through, bounded in count and bytes, and its JSON file
// (streamed export, load, validate).
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { z } from 'zod'
import type { NetworkConditions } from './conditions'
import { Ring } from './ring'

/** What became of a message: delivered, lost to packet loss, tail-dropped by a full queue, or in flight when its connection closed. */
export const FATES = ['in_flight', 'delivered', 'dropped', 'overflow', 'discarded'] as const
export type Fate = (typeof FATES)[number]

const direction = z.enum(['client_to_server', 'server_to_client'])

export const recordedMessageSchema = z.strictObject({
  seq: z.number().int(),
  /** Arrival at the proxy, ms after `started_at`. */
  t_ms: z.number(),
  client: z.number().int(),
  direction,
  kind: z.enum(['text', 'binary']),
  bytes: z.number().int().nonnegative(),
  label: z.string(),
  action: z.string().optional(),
  frame: z.union([z.number(), z.string()]).optional(),
  time: z.number().optional(),
  count: z.number().int().optional(),
  error: z.string().optional(),
  fate: z.enum(FATES),
  /** Delay the proxy added, for delivered messages. */
  added_ms: z.number().optional(),
  /** Text messages, as sent. */
  text: z.string().optional(),
  /** Binary messages, base64, when payloads are recorded. */
  data: z.string().optional(),
  /** `text` or `data` holds only the first max_message_bytes of the message's `bytes`. */
  truncated: z.literal(true).optional()
})
export type RecordedMessage = z.infer<typeof recordedMessageSchema>

export const connectionEventSchema = z.strictObject({
  t_ms: z.number(),
  client: z.number().int(),
  event: z.enum(['open', 'close', 'refused']),
  remote: z.string().optional(),
  /** Who ended it: client, target, forced (the proxy's simulated disconnect) or shutdown. */
  by: z.enum(['client', 'target', 'forced', 'shutdown']).optional(),
  code: z.number().int().optional(),
  reason: z.string().optional()
})
export type ConnectionEvent = z.infer<typeof connectionEventSchema>

const linkSchema = z.strictObject({ latency_ms: z.number(), jitter_ms: z.number(), bandwidth_bytes_per_s: z.number().nullable() })

export const recordingFileSchema = z.strictObject({
  format: z.literal('hermes-netsim-recording'),
  version: z.literal(1),
  target: z.string(),
  started_at: z.string(),
  exported_at: z.string(),
  capacity: z.number().int().nonnegative(),
  /** The history's byte bound, and the most of one message's payload it keeps (older files lack them). */
  max_bytes: z.number().int().nonnegative().optional(),
  max_message_bytes: z.number().int().nonnegative().optional(),
  /** Messages recorded since the start (or the last clear), including those the ring has since let go. */
  recorded: z.number().int().nonnegative(),
  evicted: z.number().int().nonnegative(),
  payloads: z.boolean(),
  profile: z.string(),
  conditions: z.strictObject({
    enabled: z.boolean(),
    client_to_server: linkSchema,
    server_to_client: linkSchema,
    packet_loss_rate: z.number(),
    drop_control: z.boolean(),
    disconnect_rate: z.number(),
    disconnect_per: z.enum(['message', 'minute']),
    max_queue_ms: z.number()
  }),
  connections: z.array(connectionEventSchema),
  messages: z.array(recordedMessageSchema)
})
export type RecordingFile = z.infer<typeof recordingFileSchema>

/** The history's defaults: 64 MiB in all, and at most 64 KiB of any one message's payload. */
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024
export const DEFAULT_HISTORY_MESSAGE_BYTES = 64 * 1024
/** Room for what is filled in after a message is recorded (its fate, the delay added). */
const ENTRY_SLACK_BYTES = 48

export interface RecorderOptions {
  capacity: number
  /** Keep binary messages' bytes (base64) in the history. */
  payloads: boolean
  /** The history's size as JSON; the oldest messages go first. */
  maxBytes?: number
  /** A message's text (or binary bytes) beyond this is not kept; its entry says `truncated`. */
  maxMessageBytes?: number
}

/** A recorded message before the recorder adds its payload and sequence number. */
export type MessageFields = Omit<RecordedMessage, 'seq' | 'text' | 'data' | 'truncated'>

type RecordingHeader = Omit<RecordingFile, 'connections' | 'messages'>

/** Collects messages and connection events; entries stay mutable until exported so a message's fate can be filled in. */
export class Recorder {
  readonly messages: Ring<RecordedMessage>
  readonly connections: Ring<ConnectionEvent>
  readonly maxBytes: number
  readonly maxMessageBytes: number
  private startedAt = new Date()
  private startedMs = performance.now()
  private seq = 0

  constructor(readonly options: RecorderOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_HISTORY_BYTES
    this.maxMessageBytes = Math.min(options.maxMessageBytes ?? DEFAULT_HISTORY_MESSAGE_BYTES, this.maxBytes)
    this.messages = new Ring(options.capacity, this.maxBytes)
    // Connection events are few; keep a share of the ring's size so a long run cannot grow them unbounded.
    this.connections = new Ring(Math.min(options.capacity, 10_000))
  }

  get enabled(): boolean {
    return this.options.capacity > 0
  }

  /** ms since the recording started, for `t_ms`. */
  elapsed(nowMs = performance.now()): number {
    return Math.round((nowMs - this.startedMs) * 1000) / 1000
  }

  nextSeq(): number {
    return ++this.seq
  }

  /**
   * Records a message with at most maxMessageBytes of its payload, so what one message costs here is
   * bounded however large it is. Returns the entry, to fill in its fate later.
   */
  record(fields: MessageFields, data: Buffer, isBinary: boolean): RecordedMessage {
    const entry: RecordedMessage = { seq: this.nextSeq(), ...fields }
    const kept = data.byteLength > this.maxMessageBytes ? data.subarray(0, this.maxMessageBytes) : data
    if (!isBinary) entry.text = kept.toString('utf8')
    else if (this.options.payloads) entry.data = kept.toString('base64')
    if (kept !== data && (entry.text !== undefined || entry.data !== undefined)) entry.truncated = true
    this.addMessage(entry)
    return entry
  }

  addMessage(message: RecordedMessage): void {
    this.messages.push(message, Buffer.byteLength(JSON.stringify(message)) + ENTRY_SLACK_BYTES)
  }

  addConnectionEvent(event: ConnectionEvent): void {
    this.connections.push(event)
  }

  clear(): void {
    this.messages.clear()
    this.connections.clear()
    this.startedAt = new Date()
    this.startedMs = performance.now()
  }

  private header(meta: { target: string; profile: string; conditions: NetworkConditions }): RecordingHeader {
    return {
      format: 'hermes-netsim-recording',
      version: 1,
      target: meta.target,
      started_at: this.startedAt.toISOString(),
      exported_at: new Date().toISOString(),
      capacity: this.options.capacity,
      max_bytes: this.maxBytes,
      max_message_bytes: this.maxMessageBytes,
      recorded: this.messages.total,
      evicted: this.messages.total - this.messages.length,
      payloads: this.options.payloads,
      profile: meta.profile,
      conditions: structuredClone(meta.conditions)
    }
  }

  /** The whole recording as one object: for tests and small histories; files and HTTP use chunks(). */
  export(meta: { target: string; profile: string; conditions: NetworkConditions }): RecordingFile {
    return { ...this.header(meta), connections: this.connections.toArray().map((e) => ({ ...e })), messages: this.messages.toArray().map((m) => ({ ...m })) }
  }

  /**
   * The recording as JSON text, one message at a time: a history of any size is exported without ever
   * being one string. What is kept now is what is exported, however the ring moves on meanwhile.
   */
  chunks(meta: { target: string; profile: string; conditions: NetworkConditions }): Iterable<string> {
    return recordingChunks(this.header(meta), this.connections.toArray(), this.messages.toArray())
  }
}

/** JSON text of a recording in pieces: the header, then one line per connection event and per message. */
export function* recordingChunks(header: RecordingHeader, connections: Iterable<ConnectionEvent>, messages: Iterable<RecordedMessage>): Generator<string> {
  const head = JSON.stringify(header, null, 1)
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n "connections": [`
  let first = true
  for (const e of connections) {
    yield `${first ? '' : ','}\n  ${JSON.stringify(e)}`
    first = false
  }
  yield '\n ],\n "messages": ['
  first = true
  for (const m of messages) {
    yield `${first ? '' : ','}\n  ${JSON.stringify(m)}`
    first = false
  }
  yield '\n ]\n}\n'
}

/**
 * Writes chunks to `file` through a temporary file beside it, so a failed write never leaves half a
 * recording under the name, nor destroys an earlier one. Returns the bytes written.
 */
export function writeChunks(file: string, chunks: Iterable<string>): number {
  const partial = `${file}.partial`
  let bytes = 0
  const fd = openSync(partial, 'w')
  try {
    for (const chunk of chunks) bytes += writeSync(fd, chunk)
  } catch (error) {
    closeSync(fd)
    rmSync(partial, { force: true })
    throw error
  }
  closeSync(fd)
  renameSync(partial, file)
  return bytes
}

export function saveRecording(file: string, recording: RecordingFile): void {
  const { connections, messages, ...header } = recording
  writeChunks(file, recordingChunks(header, connections, messages))
}

/** Reads and validates a recording; errors say which entry and field is wrong. */
export function loadRecording(file: string): RecordingFile {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not a JSON file (${error instanceof Error ? error.message : String(error)})`}`)
  }
  const result = recordingFileSchema.safeParse(data)
  if (result.success) return result.data
  const first = result.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`)
  throw new Error(`${file}: not a netsim recording: ${first.join('; ')}${result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : ''}`)
}
