// The engine thread's handle on a recording: starts the recorder thread, wires the scheduler's frames
// to it, and records commands and events with their frames.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { MessageChannel } from 'node:worker_threads'
import type { ResolvedConfig } from '../config/types'
import { buildSchema, publishedNames } from '../server/schema'
import type { SchedulerEvent } from '../scheduler/scheduler'
import { startWorker } from '../threads'
import { expandPatterns } from '../../../shared/protocol/patterns'
import { batchCapacity, type TapSetup } from './frameTap'
import type { Codec } from './batchCodec'
import type { RecordedEvent, RecordedSignal, RunInfo } from './format'
import type { RecorderInput, RecorderOutput, RecorderPlace, RecorderWorkerData } from './recorderCore'
import type { HistoryQuery, HistoryReply, HistorySource } from './history'
import { Timeline, type TimelineSource } from './timeline'
import { isoTime } from './isoTime'
import { version } from '../../../../package.json'

export interface RecordingOptions {
  /** The file to write; it must not exist yet. */
  file: string
  /** Patterns of the published signals to record (seed 000's rules); default every published signal. */
  signals?: readonly string[]
  compression?: Codec
  runId?: string
  /** Frames per batch (default: what fits 2 MiB, at most 4096). Smaller: more, smaller chunks. */
  batchFrames?: number
  /** Bytes of recent batches the recorder keeps for history queries (default 64 MiB, 256 KiB on the engine thread); older ones are read from the file. */
  memoryBytes?: number
  /** Bytes of batch summaries kept for whole-run views (default 32 MiB, 2 MiB on the engine thread); beyond it the oldest are merged pairwise. */
  summaryBytes?: number
  /** Where the recorder runs; by default decided by the run's mode and frame values a second. */
  place?: RecorderPlace
  /** On the engine thread, how long a history query runs before the event loop gets a turn (default 2 ms). */
  historySliceMs?: number
  /**
   * The benchmark's floor (`npm run bench recording`): the recorder hands every batch straight back,
   * encoding and writing nothing, so what is left is what the frame tap and the hand-over cost the run.
   * The file then holds its header and no frames.
   */
  handBackOnly?: boolean
}

export interface RecordingSummary {
  file: string
  frames: number
  events: number
  bytes: number
  /** Why recording stopped early, or null. */
  failure: string | null
  /** CPU time the recorder thread spent (Linux; null elsewhere or when it did not close cleanly). */
  cpuMs: number | null
  /** The scheduler thread's CPU time from its first recorded frame (Linux) and its wait for the recorder; null if it never ended. */
  scheduler: { cpuMs: number | null; waitedMs: number } | null
}

/** Young-generation size of the recorder thread's heap, MB. */
const RECORDER_YOUNG_MB = 2
const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
/**
 * On the engine thread the recent batches and the summaries count in the engine's own footprint, and
 * older batches are read back from the file (the page cache) about as fast, so few are kept: the demo
 * fills 256 KiB in under a minute. Its summaries (464 B a batch for 28 signals, two batches a second)
 * fill 2 MiB in 38 minutes, then they are coarsened; 2 MiB keeps a 2,000-point view of any length of run
 * on summaries alone.
 */
const ENGINE_THREAD_MEMORY_BYTES = 256 * 1024
const ENGINE_THREAD_SUMMARY_BYTES = 2 * 1024 * 1024
/** Batch summaries for whole-run views; beyond this the oldest are merged (coarser, still exact per bucket). */
const DEFAULT_SUMMARY_BYTES = 32 * 1024 * 1024

/**
 * Frame values a second (rate_hz x (signals + 2)) up to which a realtime run's recorder runs on the engine
 * thread instead of a thread of its own: encoding them there costs well under 1 % of a core (a 500 ms
 * batch of the demo is about a millisecond of work), and a thread of its own costs a V8 isolate, some 10 MB
 * (docs/architecture.md). The demo writes 3,000 a second; afap runs always get their own thread.
 */
export const ENGINE_THREAD_MAX_VALUES_PER_S = 200_000

/** The recorder as the engine thread talks with it, wherever it runs. */
interface RecorderHost {
  readonly place: RecorderPlace
  post(message: RecorderInput): void
  /** Returns the function that removes the listener. */
  listen(listener: (message: RecorderOutput) => void): () => void
  /** Once the recorder is gone: it closed after its last write, or its thread ended. */
  onExit(listener: () => void): void
  /** An error the recorder could not report itself (its thread crashed). */
  onError(listener: (error: Error) => void): void
  stop(): Promise<void>
}

function ownThreadHost(data: RecorderWorkerData): RecorderHost {
  // Batches and payloads live in ArrayBuffers, outside the JS heap: a small young generation is enough
  // (as the scheduler thread's), and V8's default semi-spaces would be most of this thread's memory.
  const worker = startWorker(__dirname, 'recorderWorker', { workerData: data, transferList: [data.frames], name: 'hermes-recorder', resourceLimits: { maxYoungGenerationSizeMb: RECORDER_YOUNG_MB } })
  return {
    place: 'own thread',
    post: (message) => worker.postMessage(message),
    listen: (listener) => {
      worker.on('message', listener)
      return () => worker.off('message', listener)
    },
    onExit: (listener) => worker.once('exit', listener),
    onError: (listener) => worker.on('error', listener),
    stop: async () => {
      await worker.terminate()
    }
  }
}

async function engineThreadHost(data: RecorderWorkerData): Promise<RecorderHost> {
  // Loaded when a run records: the MCAP writer is not part of a run that does not.
  const { runRecorder } = await import('./recorderCore')
  const channel = new MessageChannel()
  runRecorder(channel.port1, data, 'engine thread')
  const port = channel.port2
  return {
    place: 'engine thread',
    post: (message) => port.postMessage(message),
    listen: (listener) => {
      port.on('message', listener)
      return () => port.off('message', listener)
    },
    // Either side closing the channel closes both: the recorder does once its file is closed.
    onExit: (listener) => port.once('close', listener),
    onError: () => undefined,
    stop: () => {
      // The scheduler's port too: an open port keeps the event loop alive.
      port.close()
      data.frames.close()
      return Promise.resolve()
    }
  }
}

/** On the engine thread a history query gives the event loop a turn after this long (telemetry goes on). */
const HISTORY_SLICE_MS = 2

/** How long close waits for the scheduler thread's last batch before it closes the file without it. */
const CLOSE_WAIT_MS = 3000

export class Recorder implements HistorySource, TimelineSource {
  /** The current segment's markers (the `timeline` extension), from the events as they are recorded. */
  private readonly markers = new Timeline()
  private failure: string | null = null
  private nextQuery = 1
  private readonly queries = new Map<number, { resolve(reply: HistoryReply): void; reject(error: Error): void }>()
  private segment = 0
  private closed: Promise<RecordingSummary> | null = null
  private resolveClosed: ((summary: Omit<RecordingSummary, 'file' | 'failure'>) => void) | null = null

  private constructor(
    readonly file: string,
    readonly runId: string,
    readonly signals: readonly string[],
    /** For the scheduler thread (workerData): whoever starts the scheduler passes it on. */
    readonly tap: TapSetup,
    private readonly host: RecorderHost,
    private readonly dtNs: number
  ) {}

  /** Opens the file (which must not exist) and resolves once its header is written. */
  static async start(config: ResolvedConfig, options: RecordingOptions): Promise<Recorder> {
    const published = publishedNames(config)
    const names = options.signals ? expandPatterns(options.signals, published) : published
    const byName = new Map(config.modules.flatMap((m) => m.signals.map((s) => [s.qualified, s])))
    const signals: RecordedSignal[] = names.map((n) => ({ name: n, unit: byName.get(n)?.unit ?? '', type: byName.get(n)?.type ?? 'f64' }))
    const slotOf = new Map(config.modules.flatMap((m) => m.signals).map((s, i) => [s.qualified, i]))
    const capacity = options.batchFrames ?? batchCapacity(signals.length)
    const runId = options.runId ?? randomUUID()
    const info: RunInfo = {
      runId,
      configFile: config.file ?? '',
      rateHz: config.execution.rateHz,
      dtNs: config.execution.dtNs,
      telemetryHz: config.server.telemetryHz,
      startedAt: isoTime(Date.now()),
      batchSpanNs: capacity * config.execution.dtNs,
      schema: JSON.stringify(buildSchema(config, { runId, state: 'paused', frame: 0, timeNs: 0, fault: null }))
    }
    let configText = ''
    try {
      if (config.file) configText = readFileSync(config.file, 'utf8')
    } catch {
      // A config built in memory, or a file gone since it loaded: the recording says so by an empty text.
    }
    const channel = new MessageChannel()
    const control = new SharedArrayBuffer(8)
    const valuesPerSecond = config.execution.rateHz * (signals.length + 2)
    const place: RecorderPlace = options.place ?? (config.execution.mode === 'realtime' && valuesPerSecond <= ENGINE_THREAD_MAX_VALUES_PER_S ? 'engine thread' : 'own thread')
    const memoryBytes = options.memoryBytes ?? (place === 'own thread' ? DEFAULT_MEMORY_BYTES : ENGINE_THREAD_MEMORY_BYTES)
    const data: RecorderWorkerData = { file: options.file, compression: options.compression ?? 'lz4', signals, info, configText, frames: channel.port1, control, version, memoryBytes, summaryBytes: options.summaryBytes ?? (place === 'own thread' ? DEFAULT_SUMMARY_BYTES : ENGINE_THREAD_SUMMARY_BYTES), historySliceMs: options.historySliceMs ?? HISTORY_SLICE_MS, handBackOnly: options.handBackOnly === true }
    const host = place === 'own thread' ? ownThreadHost(data) : await engineThreadHost(data)
    const tap: TapSetup = { port: channel.port2, slots: names.map((n) => slotOf.get(n)!), capacity, control, dtNs: config.execution.dtNs }
    const recorder = new Recorder(options.file, runId, names, tap, host, config.execution.dtNs)
    await new Promise<void>((resolve, reject) => {
      const off = host.listen((message) => {
        if (message.kind === 'ready') {
          off()
          recorder.listen()
          resolve()
        } else if (message.kind === 'failed') {
          void host.stop()
          reject(new Error(`cannot record to ${options.file}: ${message.message}`))
        }
      })
      host.onError((error) => reject(new Error(`cannot record to ${options.file}: ${error.message}`)))
    })
    return recorder
  }

  /** Where the recorder runs (ENGINE_THREAD_MAX_VALUES_PER_S). */
  get place(): RecorderPlace {
    return this.host.place
  }

  /** Why recording stopped before the run did (disk full...), or null while it is fine. */
  get failed(): string | null {
    return this.failure
  }

  record(event: RecordedEvent): void {
    if (this.closed) return
    // The segment the event belongs to: a reset's own command is the first event of the next one.
    if (event.kind === 'command' && event.action === 'reset') this.segment++
    this.markers.add(event)
    const message: RecorderInput = { kind: 'event', json: JSON.stringify({ ...event, segment: this.segment }), timeNs: event.timeNs }
    this.host.post(message)
  }

  /** Scheduler events (state changes, faults) as recorded events. */
  recordSchedulerEvent(event: SchedulerEvent): void {
    if (event.kind === 'state') this.record({ kind: 'state', state: event.state, reason: event.reason, frame: event.frame, timeNs: event.timeNs })
    else if (event.kind === 'fault') this.record({ kind: 'fault', module: event.module, message: event.message, action: event.action, frame: event.frame, timeNs: event.frame * this.dtNs })
  }

  timeline(): ReturnType<TimelineSource['timeline']> {
    return this.markers.list()
  }

  /** History of the current segment, answered by the recorder thread from memory and from the file. */
  query(query: HistoryQuery): Promise<HistoryReply> {
    if (this.closed) return Promise.reject(new Error('the recording is closed'))
    const id = this.nextQuery++
    return new Promise<HistoryReply>((resolve, reject) => {
      this.queries.set(id, { resolve, reject })
      this.host.post({ kind: 'history', id, query } satisfies RecorderInput)
    })
  }

  /** Writes the index and closes the file, once the scheduler thread has sent its last frames (stop it first). */
  close(): Promise<RecordingSummary> {
    this.closed ??= new Promise<Omit<RecordingSummary, 'file' | 'failure'>>((resolve) => {
      this.resolveClosed = resolve
      this.host.post({ kind: 'close', force: false } satisfies RecorderInput)
      const timer = setTimeout(() => this.host.post({ kind: 'close', force: true } satisfies RecorderInput), CLOSE_WAIT_MS)
      this.host.onExit(() => {
        clearTimeout(timer)
        resolve({ frames: 0, events: 0, bytes: 0, cpuMs: null, scheduler: null })
      })
    }).then(async (summary) => {
      await this.host.stop()
      return { file: this.file, ...summary, failure: this.failure }
    })
    return this.closed
  }

  private listen(): void {
    this.host.listen((message) => {
      if (message.kind === 'history') {
        const q = this.queries.get(message.id)
        this.queries.delete(message.id)
        if (message.reply) q?.resolve(message.reply)
        else q?.reject(new Error(`history failed: ${message.error ?? 'no reply'}`))
      } else if (message.kind === 'failed') this.failure = message.message
      else if (message.kind === 'closed') this.resolveClosed?.({ frames: message.frames, events: message.events, bytes: message.bytes, cpuMs: message.cpuMs, scheduler: message.scheduler })
    })
    this.host.onExit(() => {
      for (const q of this.queries.values()) q.reject(new Error('the recorder has stopped'))
      this.queries.clear()
    })
    this.host.onError((error) => {
      this.failure ??= error.message
      Atomics.store(new Int32Array(this.tap.control), 1, 1)
      Atomics.notify(new Int32Array(this.tap.control), 0)
    })
  }
}
