// The message history: a bounded ring of what passed through, and its JSON file (export, load, validate).
import { readFileSync, writeFileSync } from 'node:fs'
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
  data: z.string().optional()
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

export interface RecorderOptions {
  capacity: number
  /** Keep binary messages' bytes (base64) in the history. */
  payloads: boolean
}

/** Collects messages and connection events; entries stay mutable until exported so a message's fate can be filled in. */
export class Recorder {
  readonly messages: Ring<RecordedMessage>
  readonly connections: Ring<ConnectionEvent>
  private startedAt = new Date()
  private startedMs = performance.now()
  private seq = 0

  constructor(readonly options: RecorderOptions) {
    this.messages = new Ring(options.capacity)
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

  addMessage(message: RecordedMessage): void {
    this.messages.push(message)
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

  export(meta: { target: string; profile: string; conditions: NetworkConditions }): RecordingFile {
    return {
      format: 'hermes-netsim-recording',
      version: 1,
      target: meta.target,
      started_at: this.startedAt.toISOString(),
      exported_at: new Date().toISOString(),
      capacity: this.options.capacity,
      recorded: this.messages.total,
      evicted: this.messages.total - this.messages.length,
      payloads: this.options.payloads,
      profile: meta.profile,
      conditions: structuredClone(meta.conditions),
      connections: this.connections.toArray().map((e) => ({ ...e })),
      messages: this.messages.toArray().map((m) => ({ ...m }))
    }
  }
}

export function saveRecording(file: string, recording: RecordingFile): void {
  writeFileSync(file, `${JSON.stringify(recording, null, 1)}\n`)
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
