// The scheduler thread's side of recording: every frame's recorded slots copied into a batch, and
// each batch handed to the recorder thread whole (one message per batch, never one per frame).
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { threadCpuMs } from './threadCpu'

/** What the scheduler thread needs to record: sent in its workerData. */
export interface TapSetup {
  port: MessagePort
  /** Backplane slots of the recorded signals, in the recording's column order. */
  slots: number[]
  /** Frames per batch (the buffer's column stride). */
  capacity: number
  /** Int32 words: [0] batches in flight, [1] 1 once the recorder has failed (recording stops). */
  control: SharedArrayBuffer
  /** The frame period: a new segment's clock starts one period after the last frame of the one before. */
  dtNs: number
}

/** The scheduler thread's last word: no frame follows; what recording cost that thread. */
export interface EndMessage {
  kind: 'end'
  /** Wall time the frame loop waited for the recorder (backpressure, MAX_IN_FLIGHT). */
  waitedMs: number
  /** CPU time of the scheduler thread from the first recorded frame on (Linux, 10 ms ticks; null elsewhere). */
  cpuMs: number | null
}

export interface BatchMessage {
  kind: 'batch'
  /** Row-major: each frame's frame number, time_ns, then its signals, `capacity` rows (the recorder transposes). */
  data: Float64Array
  count: number
  capacity: number
  segment: number
  /** The recording clock of this segment: simulated time plus this offset (continues across resets). */
  offsetNs: number
}

/** Batches posted but not written yet, beyond which the frame loop waits (memory stays bounded). */
export const MAX_IN_FLIGHT = 16
/**
 * Longest a batch stays in the scheduler thread before it is handed on: a kill loses at most this much (the
 * issue allows a second). Every batch costs an index entry and a summary for the whole run (96 B and, for
 * the demo, 464 B), so a realtime run's batches are not made shorter than this needs.
 */
export const FLUSH_AFTER_MS = 500
/** The wall clock is read once every this many frames, to keep the per-frame cost to a copy. */
const CLOCK_EVERY = 64
/** Consecutive slots from this many on are copied as one run (a typed-array set); fewer are gathered. */
const MIN_RUN = 8
/** A batch holds at most this many bytes. */
export const BATCH_BYTES = 2 * 1024 * 1024
export const MAX_BATCH_FRAMES = 4096

export function batchCapacity(signals: number): number {
  return Math.max(1, Math.min(MAX_BATCH_FRAMES, Math.floor(BATCH_BYTES / (8 * (signals + 2)))))
}

/**
 * A batch buffer lives on shared memory and goes to the recorder and back without being transferred:
 * the first ArrayBuffer an isolate detaches (a transfer does) invalidates V8's detaching protector, and
 * from then on every typed-array access in the thread's optimized code carries a detached check. The
 * modules' backplane reads and writes are such accesses, so a transferring tap slowed the whole frame,
 * not only its own copy (docs/recording.md has the numbers).
 */
function sharedBatch(values: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * values))
}

export class FrameTap {
  private readonly slots: Int32Array
  private readonly control: Int32Array
  private readonly capacity: number
  private readonly width: number
  /** Values in one batch buffer (capacity rows of width): a buffer handed back of another size is not reused. */
  private readonly batchValues: number
  private data: Float64Array
  /** Batch buffers the recorder has handed back, ready for reuse (at most MAX_IN_FLIGHT + 1 ever exist). */
  private readonly free: Float64Array[] = []
  private count = 0
  private segment = 0
  private offsetNs = 0
  private lastTimeNs = 0
  private startedMs = 0
  private broken = false
  private waitedMs = 0
  /** The thread's CPU time at the first captured frame: the end reports the run's share, not start-up. */
  private cpuAtStartMs: number | null = null
  private started = false
  /** The values array the runs below view (the backplane's, the same every frame). */
  private runsOf: Float64Array | null = null
  private runViews: Float64Array[] = []
  private runOffsets = new Int32Array(0)
  /** Slots of runs shorter than MIN_RUN, and their places in a row. */
  private gatherFrom = new Int32Array(0)
  private gatherTo = new Int32Array(0)

  constructor(private readonly setup: TapSetup) {
    this.slots = Int32Array.from(setup.slots)
    this.control = new Int32Array(setup.control)
    this.capacity = setup.capacity
    this.width = setup.slots.length + 2
    this.batchValues = this.capacity * this.width
    this.data = sharedBatch(this.batchValues)
  }

  /** The frame that just ended (values after it), copied into the batch. */
  capture(frame: number, timeNs: number, values: Float64Array): void {
    if (this.broken) return
    const k = this.count
    const data = this.data
    // Row-major: one frame's values are contiguous (a column-major batch wrote a cache line per signal).
    const at = k * this.width
    data[at] = frame
    data[at + 1] = timeNs
    // Each run of consecutive slots is one copy (a memcpy) from a view made once per values array.
    if (values !== this.runsOf) this.cutRuns(values)
    const views = this.runViews
    const offsets = this.runOffsets
    for (let r = 0; r < views.length; r++) data.set(views[r]!, at + offsets[r]!)
    // Short runs are cheaper as a gather than as a copy each.
    const from = this.gatherFrom
    const to = this.gatherTo
    for (let g = 0; g < from.length; g++) data[at + to[g]!] = values[from[g]!]!
    this.lastTimeNs = timeNs
    if (k === 0) {
      this.startedMs = performance.now()
      if (!this.started) {
        this.started = true
        this.cpuAtStartMs = threadCpuMs()
      }
    }
    this.count = k + 1
    if (this.count === this.capacity || (this.count % CLOCK_EVERY === 0 && performance.now() - this.startedMs > FLUSH_AFTER_MS)) this.flush()
  }

  /** The recorded slots as runs of consecutive slots: a view of `values` and where it goes in a row. */
  private cutRuns(values: Float64Array): void {
    const slots = this.slots
    const views: Float64Array[] = []
    const offsets: number[] = []
    const gather: number[] = []
    for (let s = 0; s < slots.length; ) {
      let e = s + 1
      while (e < slots.length && slots[e] === slots[e - 1]! + 1) e++
      if (e - s >= MIN_RUN) {
        views.push(values.subarray(slots[s]!, slots[e - 1]! + 1))
        offsets.push(2 + s)
      } else for (let i = s; i < e; i++) gather.push(i)
      s = e
    }
    this.runsOf = values
    this.runViews = views
    this.runOffsets = Int32Array.from(offsets)
    this.gatherFrom = Int32Array.from(gather, (i) => slots[i]!)
    this.gatherTo = Int32Array.from(gather, (i) => 2 + i)
  }

  /** Called by a loop that is about to idle (paused, waiting): what it holds goes to the file now. */
  flushIfStale(): void {
    if (this.count > 0 && performance.now() - this.startedMs > FLUSH_AFTER_MS) this.flush()
  }

  /** A reset: frames count from 0 again, in the next segment. */
  newSegment(): void {
    this.flush()
    this.segment++
    this.offsetNs += this.lastTimeNs + this.setup.dtNs
    this.lastTimeNs = 0
  }

  flush(): void {
    if (this.count === 0 || this.broken) return
    const control = this.control
    // Backpressure: a recorder that falls behind slows the loop instead of growing memory or losing frames.
    if (Atomics.load(control, 0) >= MAX_IN_FLIGHT) {
      const started = performance.now()
      for (let inFlight = Atomics.load(control, 0); inFlight >= MAX_IN_FLIGHT; inFlight = Atomics.load(control, 0)) {
        if (Atomics.load(control, 1) !== 0) break
        Atomics.wait(control, 0, inFlight, 100)
      }
      this.waitedMs += performance.now() - started
    }
    if (Atomics.load(control, 1) !== 0) {
      this.broken = true
      this.count = 0
      return
    }
    Atomics.add(control, 0, 1)
    const message: BatchMessage = { kind: 'batch', data: this.data, count: this.count, capacity: this.capacity, segment: this.segment, offsetNs: this.offsetNs }
    // Shared, not transferred: the recorder hands the buffer back once it has encoded it.
    this.setup.port.postMessage(message)
    for (let back = receiveMessageOnPort(this.setup.port); back !== undefined; back = receiveMessageOnPort(this.setup.port)) {
      if (back.message instanceof Float64Array && back.message.length === this.batchValues) this.free.push(back.message)
    }
    this.data = this.free.pop() ?? sharedBatch(this.batchValues)
    this.count = 0
  }

  /** The loop has ended: everything goes out, and the recorder hears that no frame follows. */
  close(): void {
    this.flush()
    const cpu = threadCpuMs()
    this.setup.port.postMessage({ kind: 'end', waitedMs: this.waitedMs, cpuMs: cpu === null || this.cpuAtStartMs === null ? null : cpu - this.cpuAtStartMs } satisfies EndMessage)
  }
}
