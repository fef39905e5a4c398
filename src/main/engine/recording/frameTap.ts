// The scheduler thread's side of recording: every frame's recorded slots copied into a batch, and
// each batch handed to the recorder thread whole (one message per batch, never one per frame).
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

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
/** Longest a batch stays in the scheduler thread before it is handed on: a kill loses at most this much. */
export const FLUSH_AFTER_MS = 200
/** The wall clock is read once every this many frames, to keep the per-frame cost to a copy. */
const CLOCK_EVERY = 64
/** A batch holds at most this many bytes. */
export const BATCH_BYTES = 2 * 1024 * 1024
export const MAX_BATCH_FRAMES = 4096

export function batchCapacity(signals: number): number {
  return Math.max(1, Math.min(MAX_BATCH_FRAMES, Math.floor(BATCH_BYTES / (8 * (signals + 2)))))
}

export class FrameTap {
  private readonly slots: Int32Array
  private readonly control: Int32Array
  private readonly capacity: number
  private readonly width: number
  private data: Float64Array
  private count = 0
  private segment = 0
  private offsetNs = 0
  private lastTimeNs = 0
  private startedMs = 0
  private broken = false

  constructor(private readonly setup: TapSetup) {
    this.slots = Int32Array.from(setup.slots)
    this.control = new Int32Array(setup.control)
    this.capacity = setup.capacity
    this.width = setup.slots.length + 2
    this.data = new Float64Array(this.capacity * this.width)
  }

  /** The frame that just ended (values after it), copied into the batch. */
  capture(frame: number, timeNs: number, values: Float64Array): void {
    if (this.broken) return
    const k = this.count
    const data = this.data
    // Row-major: one frame's values are contiguous (a column-major batch wrote a cache line per signal).
    let at = k * this.width
    data[at++] = frame
    data[at++] = timeNs
    const slots = this.slots
    for (let s = 0; s < slots.length; s++) data[at++] = values[slots[s]!]!
    this.lastTimeNs = timeNs
    if (k === 0) this.startedMs = performance.now()
    this.count = k + 1
    if (this.count === this.capacity || (this.count % CLOCK_EVERY === 0 && performance.now() - this.startedMs > FLUSH_AFTER_MS)) this.flush()
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
    for (let inFlight = Atomics.load(control, 0); inFlight >= MAX_IN_FLIGHT; inFlight = Atomics.load(control, 0)) {
      if (Atomics.load(control, 1) !== 0) break
      Atomics.wait(control, 0, inFlight, 100)
    }
    if (Atomics.load(control, 1) !== 0) {
      this.broken = true
      this.count = 0
      return
    }
    Atomics.add(control, 0, 1)
    const message: BatchMessage = { kind: 'batch', data: this.data, count: this.count, capacity: this.capacity, segment: this.segment, offsetNs: this.offsetNs }
    this.setup.port.postMessage(message, [this.data.buffer as ArrayBuffer])
    // The recorder sends each buffer back once it has copied it out: no 2 MiB allocation per batch.
    const back = receiveMessageOnPort(this.setup.port)?.message as Float64Array | undefined
    this.data = back instanceof Float64Array && back.length === this.capacity * this.width ? back : new Float64Array(this.capacity * this.width)
    this.count = 0
  }

  /** The loop has ended: everything goes out, and the recorder hears that no frame follows. */
  close(): void {
    this.flush()
    this.setup.port.postMessage({ kind: 'end' })
  }
}
