// The recorder: frame batches from the scheduler thread and events from the engine thread, written as
// they come into one MCAP file (each batch its own chunk, its column groups compressed). It runs in a
// thread of its own (recorderWorker.ts) or, for a run whose frames are few, on the engine thread
// (recorder.ts chooses; docs/architecture.md).
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import type { MessagePort } from 'node:worker_threads'
import { BatchIndex } from './batchIndex'
import { McapFileWriter } from './mcapFile'
import { loadZstd } from './compression'
import { lowerThreadPriority, threadCpuMs } from './threadCpu'
import { DecodeScratch, encodeRows, type Codec } from './batchCodec'
import type { BatchMessage, EndMessage } from './frameTap'
import { HistoryBuilder, type HistoryQuery, type HistoryReply } from './history'
import { messagesOfChunk } from './chunk'
import { CONFIG_ATTACHMENT, decodeBatch, EVENTS_TOPIC, FRAMES_ENCODING, FRAMES_TOPIC, PROFILE, RUN_METADATA, runInfoToMetadata, type RecordedSignal, type RunInfo } from './format'

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
  /** Batch summaries kept in memory at most: beyond it the oldest are merged pairwise, then dropped. */
  summaryBytes: number
  /** On the engine thread, how long a history query runs before the event loop gets a turn. */
  historySliceMs: number
  /** The benchmark's floor: every batch goes straight back, neither encoded nor written (RecordingOptions). */
  handBackOnly: boolean
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
  | { kind: 'closed'; frames: number; bytes: number; events: number; cpuMs: number | null; scheduler: Omit<EndMessage, 'kind'> | null }
  | { kind: 'history'; id: number; reply: HistoryReply | null; error?: string }

/** The recorder thread's nice value (docs/architecture.md; HERMES_RECORDER_NICE=0 keeps the process's). */
const RECORDER_NICE = 10
/** Made-up batches the recorder thread encodes before it is ready (warmUp). */
const WARM_UP_BATCHES = 3
/** The newest batches keep a summary each (a live plot's recent window reads them). */
const RECENT_FULL = 16

/** Where the recorder runs: its own thread (it lowers that thread's priority), or the engine thread. */
export type RecorderPlace = 'own thread' | 'engine thread'

/**
 * Runs one recording: `port` talks with the engine thread's Recorder (RecorderInput in, RecorderOutput
 * out), `data.frames` brings the scheduler thread's batches. Everything it holds is its own, so that
 * several recordings may run, one after another, on the engine thread.
 */
export function runRecorder(port: MessagePort, data: RecorderWorkerData, place: RecorderPlace): void {
  const control = new Int32Array(data.control)
  const post = (message: RecorderOutput): void => port.postMessage(message)

  let fd = -1
  let frames = 0
  let events = 0
  let framesEnded = false
  /** What the scheduler thread said when it ended (null if it never did: a forced close). */
  let schedulerEnd: Omit<EndMessage, 'kind'> | null = null
  let closeAsked = false
  let failed = false
  /** Writes, history queries and the close, in the order they were asked for. */
  let chain: Promise<unknown> = Promise.resolve()
  let writer: McapFileWriter
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
    // Recording is catching up, the scheduler is pacing: on two cores the scheduler's wake-up must not
    // wait behind a batch being compressed (the backlog is bounded: the scheduler waits when it is full).
    const nice = Number(process.env.HERMES_RECORDER_NICE ?? RECORDER_NICE)
    if (nice > 0 && place === 'own thread') lowerThreadPriority(nice)
    // Only a zstd recording loads zstd (the file it reads back is its own, in its own codec).
    if (data.compression === 'zstd') await loadZstd()
    if (place === 'own thread') warmUp()
    fd = openSync(data.file, 'wx')
    // Every message is a chunk of its own: a batch is on disk (whole, with its CRC) as soon as it arrives.
    // Chunks are not compressed: the payload's column groups are.
    writer = new McapFileWriter((bytes) => {
      writeSync(fd, bytes)
      fileBytes += bytes.byteLength
    })
    writer.start({ profile: PROFILE, library: `hermes-console/${data.version}` })
    writer.addMetadata({ name: RUN_METADATA, metadata: runInfoToMetadata(data.info) })
    writer.addAttachment({ name: CONFIG_ATTACHMENT, mediaType: 'application/yaml', logTime: 0n, createTime: 0n, data: new TextEncoder().encode(data.configText) })
    const framesSchema = writer.registerSchema({
      name: FRAMES_ENCODING,
      encoding: 'jsonschema',
      data: new TextEncoder().encode(JSON.stringify({ title: 'hermes frame batch (binary, see docs/recording.md)', signals: data.signals }))
    })
    framesChannel = writer.registerChannel({ topic: FRAMES_TOPIC, schemaId: framesSchema, messageEncoding: FRAMES_ENCODING, metadata: new Map() })
    const eventsSchema = writer.registerSchema({ name: 'hermes.event', encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify({ type: 'object', title: 'hermes command or event' })) })
    eventsChannel = writer.registerChannel({ topic: EVENTS_TOPIC, schemaId: eventsSchema, messageEncoding: 'json', metadata: new Map() })
  }

  /**
   * Encodes a made-up batch of the run's shape a few times before the recorder says it is ready, so that
   * the run's first batches meet optimized code: cold, they took several times as long, the frame loop
   * waited on them, and a short afap run's cost rose by a fifth (docs/recording.md). About 25 ms for the
   * synthetic benchmark's 1,002 values a frame.
   */
  function warmUp(): void {
    const width = data.signals.length + 2
    const capacity = Math.max(1, Math.round(data.info.batchSpanNs / data.info.dtNs))
    const rows = new Float64Array(new SharedArrayBuffer(8 * width * capacity))
    for (let k = 0; k < capacity; k++) {
      rows[k * width] = k
      rows[k * width + 1] = k * data.info.dtNs
      // Constant signals and changing ones: both paths of the encoder.
      for (let c = 2; c < width; c++) rows[k * width + c] = c % 3 === 0 ? c : Math.sin(k + c)
    }
    for (let i = 0; i < WARM_UP_BATCHES; i++) encodeRows(rows, width, capacity, 0, data.compression)
  }

  let fileBytes = 0
  const written = new BatchIndex(data.signals.length)
  /**
   * The newest batches' payloads, while they are among the newest `memoryBytes` (decoded when a query
   * needs one): the last one is the last batch written.
   */
  const recent: Uint8Array[] = []
  let recentBytes = 0
  let currentOffsetNs = 0
  let readFd = -1

  function remember(m: BatchMessage, payload: Uint8Array): void {
    // The encoded payload, not the columns: no copy per batch, and memoryBytes holds many more frames.
    currentOffsetNs = m.offsetNs
    recent.push(payload)
    recentBytes += payload.byteLength
    while (recentBytes > data.memoryBytes && recent.length > 1) recentBytes -= recent.shift()!.byteLength
    summaryBytes += SUMMARY_SIZE
    while (summaryBytes > data.summaryBytes && (coarsen() || dropOldestSummary())) summaryBytes -= SUMMARY_SIZE
  }

  function inMemory(i: number): Uint8Array | null {
    const first = written.length - recent.length
    return i >= first ? recent[i - first]! : null
  }

  /**
   * Merges the summary at `mergeAt` with the next one of the same span and segment, so that a whole-run
   * view of an old range still reads summaries (coarser ones) instead of the file. Passes go from the
   * oldest batch on, spans doubling pass by pass; the newest RECENT_FULL batches keep their own.
   */
  function coarsen(): boolean {
    for (let pass = 0; pass < 2; pass++) {
      while (mergeAt < written.length) {
        const a = mergeAt
        const b = a + written.span(a)
        if (b >= written.length || b + written.span(b) > written.length - RECENT_FULL) break
        // Same span, and the same segment (the clock's offset from simulated time): a reset is never merged over.
        if (written.hasSummary(a) && written.hasSummary(b) && written.span(a) === written.span(b) && written.summaryClockOffset(a) === written.summaryClockOffset(b)) {
          written.merge(a, b)
          mergeAt += written.span(a)
          return true
        }
        mergeAt += written.span(a)
      }
      mergeAt = 0
    }
    return false
  }

  /** When nothing merges any more: the oldest summary goes (its batches are then scanned from the file). */
  function dropOldestSummary(): boolean {
    while (summariesFrom < written.length - 1) {
      const i = summariesFrom++
      if (written.hasSummary(i)) {
        written.dropSummary(i)
        return true
      }
    }
    return false
  }

  /** Bytes of one batch's summary (min and max per signal, its frame count and clock offset). */
  const SUMMARY_SIZE = written.summaryBytes
  let summaryBytes = 0
  let summariesFrom = 0
  let mergeAt = 0
  /** The builder reads each decoded batch and drops it: one buffer serves every decode of a query. */
  const decodeScratch = new DecodeScratch()

  /**
   * A history query: a batch (or merged span) shorter than a min/max bucket by its summary, any other from
   * memory when it is still there, else from the file (only the columns asked for). On the engine thread it
   * lets the event loop turn every `historySliceMs`, so that a long query does not hold telemetry up.
   */
  async function history(id: number, query: HistoryQuery): Promise<void> {
    try {
      let sliceFrom = performance.now()
      const q = { ...query, fromNs: query.fromNs + currentOffsetNs, toNs: query.toNs + currentOffsetNs }
      const builder = new HistoryBuilder(q, Math.floor((query.toNs - query.fromNs) / data.info.dtNs) + 1, currentOffsetNs)
      for (let i = written.firstEndingAtOrAfter(q.fromNs); i < written.length && written.first(i) <= q.toNs; ) {
        if (place === 'engine thread' && performance.now() - sliceFrom >= data.historySliceMs) {
          await new Promise((resolve) => setImmediate(resolve))
          sliceFrom = performance.now()
        }
        const firstNs = written.first(i)
        const span = written.span(i)
        // A merged summary covers its span; when the builder refuses it (a range end, or a span longer than
        // a bucket), its batches are read one by one.
        const at = written.summaryAt(i)
        const extrema = written.summaryValues
        if (written.hasSummary(i) && builder.addSummary(firstNs, written.last(i + span - 1), written.summaryCount(i), written.summaryClockOffset(i), extrema, extrema, at, at + data.signals.length)) {
          i += span
          continue
        }
        const memory = inMemory(i)
        const length = written.bytes(i)
        const offset = written.offset(i)
        i++
        if (memory) {
          builder.add(decodeBatch(memory, firstNs, query.columns, decodeScratch))
          continue
        }
        if (readFd < 0) readFd = openSync(data.file, 'r')
        const bytes = new Uint8Array(length)
        readSync(readFd, bytes, 0, length, offset)
        for (const m of messagesOfChunk(bytes)) if (m.channelId === framesChannel) builder.add(decodeBatch(m.data, m.logTimeNs, query.columns, decodeScratch))
      }
      post({ kind: 'history', id, reply: builder.reply() })
    } catch (error) {
      post({ kind: 'history', id, reply: null, error: error instanceof Error ? error.message : String(error) })
    }
  }

  /** One batch fewer in flight: the scheduler thread waits on this number when it reaches MAX_IN_FLIGHT. */
  function batchDone(): void {
    Atomics.sub(control, 0, 1)
    Atomics.notify(control, 0)
  }

  let sequence = 0
  function onBatch(message: BatchMessage): void {
    if (data.handBackOnly) {
      frames += message.count
      data.frames.postMessage(message.data)
      batchDone()
      return
    }
    then(async () => {
      const n = message.count
      const rows = message.data
      const width = data.signals.length + 2
      // Straight from the scheduler's rows: byte planes, min/max and compression in one pass per group.
      const { payload, summary } = encodeRows(rows, width, n, message.segment, data.compression)
      const firstTimeNs = rows[1]!
      const lastTimeNs = rows[(n - 1) * width + 1]!
      // The (shared) buffer goes back to the scheduler thread, which reuses it for a later batch.
      data.frames.postMessage(rows)
      // Log time is the recording clock (monotonic across resets), so the index orders batches as they came.
      const logTime = BigInt(Math.round(message.offsetNs + firstTimeNs))
      const chunk = writer.addMessage({ channelId: framesChannel, sequence: sequence++, logTime, publishTime: logTime, data: payload })
      frames += n
      const firstNs = Number(logTime)
      written.push(firstNs, firstNs + lastTimeNs - firstTimeNs, chunk.offset, chunk.length, summary)
      remember(message, payload)
    })
    // Counted down once written (or dropped after a failure).
    void chain.finally(batchDone)
  }

  function onEvent(json: string, timeNs: number): void {
    then(async () => {
      const t = BigInt(Math.max(0, Math.round(timeNs)))
      writer.addMessage({ channelId: eventsChannel, sequence: events++, logTime: t, publishTime: t, data: new TextEncoder().encode(json) })
    })
  }

  let closing = false
  function maybeClose(): void {
    if (!framesEnded || !closeAsked || closing) return
    closing = true
    then(async () => {
      writer.end()
      fsyncSync(fd)
    })
    void chain.finally(() => {
      if (fd >= 0) closeSync(fd)
      if (readFd >= 0) closeSync(readFd)
      fd = -1
      post({ kind: 'closed', frames, bytes: fileBytes, events, cpuMs: place === 'own thread' ? threadCpuMs() : null, scheduler: schedulerEnd })
      port.close()
      data.frames.close()
    })
  }

  data.frames.on('message', (message: BatchMessage | EndMessage) => {
    if (message.kind === 'batch') return onBatch(message)
    schedulerEnd = { waitedMs: message.waitedMs, cpuMs: message.cpuMs }
    framesEnded = true
    maybeClose()
  })
  port.on('message', (message: RecorderInput) => {
    if (message.kind === 'event') return onEvent(message.json, message.timeNs)
    // Answered in turn with the writes: what was recorded before the query is in its answer.
    if (message.kind === 'history') return then(() => history(message.id, message.query))
    closeAsked = true
    if (message.force) framesEnded = true
    maybeClose()
  })

  then(() => start().then(() => post({ kind: 'ready' })))
}
