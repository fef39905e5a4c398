// Entry of the recorder thread: frame batches from the scheduler thread and events from the engine
// thread, written as they come into one MCAP file (each batch its own chunk, its column groups compressed).
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { McapWriter } from '@mcap/core'
import * as zstd from '@foxglove/wasm-zstd'
import { threadCpuMs } from './threadCpu'
import { encodeBatchV2, type BatchSummary, type Codec } from './batchCodec'
import type { BatchMessage } from './frameTap'
import { HistoryBuilder, type HistoryQuery, type HistoryReply } from './history'
import { messagesOfChunk } from './chunk'
import { CONFIG_ATTACHMENT, decodeBatch, type FrameBatch, EVENTS_TOPIC, FRAMES_ENCODING, FRAMES_TOPIC, PROFILE, RUN_METADATA, runInfoToMetadata, type RecordedSignal, type RunInfo } from './format'

export interface RecorderWorkerData {
  file: string
  compression: Codec
  signals: RecordedSignal[]
  info: RunInfo
  configText: string
  /** Batches from the scheduler thread. */
  frames: MessagePort
  control: SharedArrayBuffer
  version: string
  /** Recent batches kept in memory for history queries (older ones are read back from the file). */
  memoryBytes: number
}

/** From the engine thread. */
/** A close with `force` does not wait for the scheduler thread's last batch (that thread is gone). */
export type RecorderInput =
  | { kind: 'event'; json: string; timeNs: number }
  | { kind: 'close'; force: boolean }
  /** Simulated times of the current segment (the recorder knows its clock offset), answered as 'history'. */
  | { kind: 'history'; id: number; query: HistoryQuery }
/** To the engine thread. */
export type RecorderOutput =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'closed'; frames: number; bytes: number; events: number; cpuMs: number | null }
  | { kind: 'history'; id: number; reply: HistoryReply | null; error?: string }


if (!parentPort) throw new Error('recorderWorker must run as a worker thread')
const port = parentPort
const data = workerData as RecorderWorkerData
const control = new Int32Array(data.control)
const post = (message: RecorderOutput): void => port.postMessage(message)

let fd = -1
let position = 0n
let frames = 0
let events = 0
let framesEnded = false
let closeAsked = false
let failed = false
/** McapWriter's calls must not overlap: every write goes through this chain. */
let chain: Promise<unknown> = Promise.resolve()
let writer: McapWriter
let framesChannel = 0
let eventsChannel = 0

function fail(error: unknown): void {
  if (failed) return
  failed = true
  // The scheduler stops waiting for us and stops recording; the run goes on.
  Atomics.store(control, 1, 1)
  Atomics.notify(control, 0)
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
}

function then(step: () => Promise<unknown>): void {
  chain = chain.then(() => (failed ? undefined : step())).catch(fail)
}

async function start(): Promise<void> {
  await zstd.isLoaded
  fd = openSync(data.file, 'wx')
  writer = new McapWriter({
    writable: {
      write: (buffer) => {
        writeSync(fd, buffer)
        position += BigInt(buffer.byteLength)
        return Promise.resolve()
      },
      position: () => position
    },
    // Every message closes its chunk: a batch is on disk (whole, with its CRC) as soon as it arrives.
    // Chunks are not compressed: the payload's column groups are (the chunk CRC then covers few bytes).
    chunkSize: 0
  })
  await writer.start({ profile: PROFILE, library: `hermes-console/${data.version}` })
  await writer.addMetadata({ name: RUN_METADATA, metadata: runInfoToMetadata(data.info) })
  await writer.addAttachment({ name: CONFIG_ATTACHMENT, mediaType: 'application/yaml', logTime: 0n, createTime: 0n, data: new TextEncoder().encode(data.configText) })
  const framesSchema = await writer.registerSchema({
    name: FRAMES_ENCODING,
    encoding: 'jsonschema',
    data: new TextEncoder().encode(JSON.stringify({ title: 'hermes frame batch (binary, see docs/recording.md)', signals: data.signals }))
  })
  framesChannel = await writer.registerChannel({ topic: FRAMES_TOPIC, schemaId: framesSchema, messageEncoding: FRAMES_ENCODING, metadata: new Map() })
  const eventsSchema = await writer.registerSchema({ name: 'hermes.event', encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify({ type: 'object', title: 'hermes command or event' })) })
  eventsChannel = await writer.registerChannel({ topic: EVENTS_TOPIC, schemaId: eventsSchema, messageEncoding: 'json', metadata: new Map() })
}

/** Where each written batch is: its recording-clock span and the bytes of its chunk (with its index). */
interface Written {
  firstNs: number
  lastNs: number
  offset: number
  length: number
  summary: BatchSummary | null
  /** The batch itself while it is among the newest `memoryBytes`. */
  memory: FrameBatch | null
}
const written: Written[] = []
/** The newest batches, as zero-copy views of the scheduler's buffers. */
const recent: { entry: Written; bytes: number }[] = []
let recentBytes = 0
let currentOffsetNs = 0
let readFd = -1

/** The scheduler's row-major batch as columns (`count` values each), in blocks of rows that stay in cache. */
function toColumns(m: BatchMessage): Float64Array {
  const width = data.signals.length + 2
  const n = m.count
  const out = new Float64Array(width * n)
  const src = m.data
  for (let k0 = 0; k0 < n; k0 += 64) {
    const k1 = Math.min(n, k0 + 64)
    for (let c = 0; c < width; c++) for (let k = k0, at = k0 * width + c; k < k1; k++, at += width) out[c * n + k] = src[at]!
  }
  return out
}

function viewOf(m: BatchMessage, columns: Float64Array): FrameBatch {
  const col = (c: number): Float64Array => columns.subarray(c * m.count, (c + 1) * m.count)
  return { segment: m.segment, offsetNs: m.offsetNs, frames: col(0), timesNs: col(1), columns: Array.from({ length: data.signals.length }, (_, s) => col(s + 2)) }
}

function remember(entry: Written, m: BatchMessage, columns: Float64Array): void {
  entry.memory = viewOf(m, columns)
  currentOffsetNs = m.offsetNs
  recent.push({ entry, bytes: columns.byteLength })
  recentBytes += columns.byteLength
  while (recentBytes > data.memoryBytes && recent.length > 1) {
    const old = recent.shift()!
    old.entry.memory = null
    recentBytes -= old.bytes
  }
  summaryBytes += 16 * data.signals.length
  while (summaryBytes > SUMMARY_BYTES && summariesFrom < written.length - 1) {
    written[summariesFrom++]!.summary = null
    summaryBytes -= 16 * data.signals.length
  }
}

/** Summaries kept in memory at most (older batches are then scanned from the file, still exact). */
const SUMMARY_BYTES = 32 * 1024 * 1024
let summaryBytes = 0
let summariesFrom = 0

/**
 * A history query: a batch inside one min/max bucket by its summary, any other from memory when it is
 * still there, else from the file (only the columns asked for).
 */
function history(id: number, query: HistoryQuery): void {
  try {
    const q = { ...query, fromNs: query.fromNs + currentOffsetNs, toNs: query.toNs + currentOffsetNs }
    const builder = new HistoryBuilder(q, Math.floor((query.toNs - query.fromNs) / data.info.dtNs) + 1)
    // Binary search for the first written batch that may reach the range; batches are in clock order.
    let lo = 0
    let hi = written.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (written[mid]!.lastNs < q.fromNs) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < written.length && written[i]!.firstNs <= q.toNs; i++) {
      const w = written[i]!
      const s = w.summary
      if (s && builder.addSummary(w.firstNs, w.lastNs, s.count, w.firstNs - s.firstTimeNs, s.min, s.max)) continue
      if (w.memory) {
        builder.add(w.memory)
        continue
      }
      if (readFd < 0) readFd = openSync(data.file, 'r')
      const bytes = new Uint8Array(w.length)
      readSync(readFd, bytes, 0, w.length, w.offset)
      for (const m of messagesOfChunk(bytes)) if (m.channelId === framesChannel) builder.add(decodeBatch(m.data, m.logTimeNs, query.columns))
    }
    post({ kind: 'history', id, reply: builder.reply() })
  } catch (error) {
    post({ kind: 'history', id, reply: null, error: error instanceof Error ? error.message : String(error) })
  }
}

let sequence = 0
function onBatch(message: BatchMessage): void {
  then(async () => {
    const offset = Number(position)
    const columns = toColumns(message)
    // The buffer goes back to the scheduler thread, which reuses it for a later batch.
    data.frames.postMessage(message.data, [message.data.buffer as ArrayBuffer])
    const n = message.count
    const { payload, summary } = encodeBatchV2(columns, n, n, data.signals.length, message.segment, data.compression)
    // Log time is the recording clock (monotonic across resets), so the index orders batches as they came.
    const logTime = BigInt(Math.round(message.offsetNs + columns[n]!))
    await writer.addMessage({ channelId: framesChannel, sequence: sequence++, logTime, publishTime: logTime, data: payload })
    frames += message.count
    const firstNs = Number(logTime)
    const entry: Written = { firstNs, lastNs: firstNs + columns[2 * n - 1]! - columns[n]!, offset, length: Number(position) - offset, summary, memory: null }
    written.push(entry)
    remember(entry, message, columns)
  })
  // Counted down once written (or dropped after a failure): the scheduler waits on this number.
  void chain.finally(() => {
    Atomics.sub(control, 0, 1)
    Atomics.notify(control, 0)
  })
}

function onEvent(json: string, timeNs: number): void {
  then(async () => {
    const t = BigInt(Math.max(0, Math.round(timeNs)))
    await writer.addMessage({ channelId: eventsChannel, sequence: events++, logTime: t, publishTime: t, data: new TextEncoder().encode(json) })
  })
}

let closing = false
function maybeClose(): void {
  if (!framesEnded || !closeAsked || closing) return
  closing = true
  then(async () => {
    await writer.end()
    fsyncSync(fd)
  })
  void chain.finally(() => {
    if (fd >= 0) closeSync(fd)
    if (readFd >= 0) closeSync(readFd)
    fd = -1
    post({ kind: 'closed', frames, bytes: Number(position), events, cpuMs: threadCpuMs() })
    port.close()
    data.frames.close()
  })
}

data.frames.on('message', (message: BatchMessage | { kind: 'end' }) => {
  if (message.kind === 'batch') return onBatch(message)
  framesEnded = true
  maybeClose()
})
port.on('message', (message: RecorderInput) => {
  if (message.kind === 'event') return onEvent(message.json, message.timeNs)
  // Answered in turn with the writes: what was recorded before the query is in its answer.
  if (message.kind === 'history') return then(() => Promise.resolve(history(message.id, message.query)))
  closeAsked = true
  if (message.force) framesEnded = true
  maybeClose()
})

then(() => start().then(() => post({ kind: 'ready' })))
