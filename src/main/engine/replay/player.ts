// Plays a recording's frames as a run plays its own: the server drives it through the same narrow
// interface as a live scheduler (pause, resume, step, reset, snapshots), plus seek and speed. Reads one
// batch at a time through the file's index: memory stays bounded whatever the recording's length.
import type { ReplayInfo, ReplaySpeed } from '../../../shared/protocol/messages'
import { HEADER } from '../backplane/backplane'
import type { RunState } from '../scheduler/control'
import { CommandRejected, type CommandResult, type ModuleTime, type SchedulerEvent, type Snapshot } from '../scheduler/scheduler'
import type { ReplayControl, ServedScheduler } from '../server/server'
import type { FrameBatch } from '../recording/format'
import type { RecordingReader } from '../recording/reader'

/** One segment of a recording: from its start to a reset (frames count from 0 again in the next). */
export interface Segment {
  index: number
  /** Recording clock (ns, continued across resets) of its first and last frame. */
  startNs: number
  endNs: number
  /** Simulated time = recording clock - offset. */
  offsetNs: number
  firstFrame: number
  lastFrame: number
}

/** As fast as possible: frames played per turn of the event loop (telemetry ticks sample the position). */
const AFAP_FRAMES_PER_TURN = 1000
/** How often a playing replay moves on without a snapshot asking (it also moves on each snapshot). */
const PUMP_MS = 10

/** The batch that holds the frame at `clockNs` (each batch is one chunk: the index finds it). */
async function batchAt(reader: RecordingReader, clockNs: number): Promise<FrameBatch> {
  const it = reader.batches({ fromNs: clockNs, toNs: clockNs }, [])
  try {
    for await (const b of it) if (b.timesNs[0]! + b.offsetNs <= clockNs) return b
  } finally {
    await it.return(undefined)
  }
  throw new Error(`${reader.file}: no frame batch at ${clockNs} ns though the index lists one`)
}

/**
 * The recording's segments, from the index and a few batches: each batch holds frames of one segment, in
 * clock order, so each segment's first batch is found by a binary search over the batches' start times.
 */
export async function findSegments(reader: RecordingReader): Promise<Segment[]> {
  const starts = reader.frameBatchStarts()
  if (!starts) throw new Error(`${reader.file} has no index (its recorder was stopped before closing it): it cannot be replayed; hermes export still reads every frame in it`)
  if (starts.length === 0) throw new Error(`${reader.file} holds no frames: nothing to replay`)
  const cache = new Map<number, FrameBatch>()
  const at = async (i: number): Promise<FrameBatch> => {
    let b = cache.get(i)
    if (!b) {
      b = await batchAt(reader, starts[i]!)
      cache.set(i, b)
    }
    return b
  }
  const last = await at(starts.length - 1)
  const count = last.segment + 1
  // firsts[s]: index of the first batch of segment s.
  const firsts = [0]
  for (let s = 1; s < count; s++) {
    let lo = firsts[s - 1]! + 1
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((await at(mid)).segment >= s) hi = mid
      else lo = mid + 1
    }
    firsts.push(lo)
  }
  const segments: Segment[] = []
  for (let s = 0; s < count; s++) {
    const first = await at(firsts[s]!)
    const end = await at(s + 1 < count ? firsts[s + 1]! - 1 : starts.length - 1)
    const n = end.frames.length - 1
    segments.push({ index: s, startNs: first.timesNs[0]! + first.offsetNs, endNs: end.timesNs[n]! + end.offsetNs, offsetNs: first.offsetNs, firstFrame: first.frames[0]!, lastFrame: end.frames[n]! })
  }
  return segments
}

export interface PlayerOptions {
  speed: ReplaySpeed
  paused: boolean
}

export class ReplayPlayer implements ServedScheduler, ReplayControl {
  readonly fault = null
  readonly backplane: { slot(name: string): number | undefined; readonly header: Float64Array }
  private readonly listeners = new Set<(event: SchedulerEvent) => void>()
  private readonly segmentListeners = new Set<(segment: number) => void>()
  private readonly values: Float64Array
  private playState: RunState
  private rate: ReplaySpeed
  private seg: Segment
  private it: AsyncGenerator<FrameBatch> | null = null
  private batch: FrameBatch | null = null
  private next: FrameBatch | null = null
  private k = 0
  /** Realtime playback: the recording clock at `anchorWallMs`; it moves at `rate` from there. */
  private anchorWallMs = 0
  private anchorClockNs = 0
  private chain: Promise<unknown> = Promise.resolve()
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  private stopped = false

  private constructor(
    private readonly reader: RecordingReader,
    readonly segments: readonly Segment[],
    options: PlayerOptions
  ) {
    const column = new Map(reader.signals.map((s, i) => [s.name, i]))
    this.backplane = { slot: (name) => column.get(name), header: new Float64Array(HEADER.slots) }
    this.values = new Float64Array(reader.signals.length)
    this.playState = options.paused ? 'paused' : 'running'
    this.rate = options.speed
    this.seg = segments[0]!
  }

  /** Positioned on the first frame, playing unless `paused`. */
  static async start(reader: RecordingReader, options: PlayerOptions): Promise<ReplayPlayer> {
    const player = new ReplayPlayer(reader, await findSegments(reader), options)
    await player.open(player.seg, player.seg.startNs)
    player.anchor()
    player.pump()
    return player
  }

  get state(): RunState {
    return this.playState
  }

  get segment(): Segment {
    return this.seg
  }

  info(): ReplayInfo {
    const s = this.seg
    return { file: this.reader.file, from: (s.startNs - s.offsetNs) / 1e9, to: (s.endNs - s.offsetNs) / 1e9, speed: this.rate, segment: s.index, segments: this.segments.length }
  }

  onEvent(listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Hears the segment change when playback, a step or a seek crosses into another segment (not a reset). */
  onSegment(listener: (segment: number) => void): () => void {
    this.segmentListeners.add(listener)
    return () => this.segmentListeners.delete(listener)
  }

  moduleTimes(): ModuleTime[] {
    return []
  }

  pause(): Promise<CommandResult> {
    return this.serial(async () => {
      if (this.playState === 'running') {
        await this.catchUp()
        if (this.playState === 'running') this.playState = 'paused'
      }
      return this.result()
    })
  }

  resume(): Promise<CommandResult> {
    return this.serial(() => {
      if (this.playState === 'ended') throw new CommandRejected('the replay is at its end: reset or seek to play it again')
      if (this.playState === 'paused') {
        this.playState = 'running'
        this.anchor()
        this.pump()
      }
      return Promise.resolve(this.result())
    })
  }

  /** N recorded frames on (into the next segment at a segment's end); fewer when the recording ends. */
  step(count = 1): Promise<CommandResult> {
    return this.serial(async () => {
      if (this.playState === 'ended') throw new CommandRejected('the replay is at its end: reset or seek to play it again')
      let stepped = 0
      while (stepped < count && (await this.forward())) stepped++
      if (stepped < count) this.end()
      return { ...this.result(), ...(stepped < count ? { stepped } : {}) }
    })
  }

  /** Back to the first frame of the recording; playing or paused as before (ended comes back paused). */
  reset(): Promise<CommandResult> {
    return this.serial(async () => {
      await this.open(this.segments[0]!, this.segments[0]!.startNs)
      if (this.playState === 'ended') this.playState = 'paused'
      this.anchor()
      this.pump()
      return this.result()
    })
  }

  set(): Promise<CommandResult> {
    return Promise.reject(new CommandRejected('set is not available in a replay'))
  }

  /** The recorded frame at or after `timeS` of the segment (the current one by default), clamped to it. */
  seek(timeS: number, segment: number | null): Promise<{ frame: number; timeNs: number }> {
    return this.serial(async () => {
      const target = segment === null ? this.seg : this.segments[segment]
      if (!target) throw new CommandRejected(`seek 'segment' must be below ${this.segments.length}: the recording has ${this.segments.length} segment${this.segments.length === 1 ? '' : 's'}`)
      const clock = Math.min(target.endNs, Math.max(target.startNs, Math.round(timeS * 1e9) + target.offsetNs))
      const changed = target !== this.seg
      await this.open(target, clock)
      if (this.playState === 'ended') this.playState = 'paused'
      this.anchor()
      this.pump()
      if (changed) this.emitSegment()
      return { frame: this.frame, timeNs: this.timeNs }
    })
  }

  speed(factor: ReplaySpeed): void {
    void this.serial(async () => {
      await this.catchUp()
      this.rate = factor
      this.anchor()
      this.pump()
    })
  }

  snapshot(): Promise<Snapshot> {
    return this.serial(async () => {
      await this.catchUp()
      const b = this.batch!
      for (let c = 0; c < this.values.length; c++) this.values[c] = b.columns[c]![this.k]!
      return { frame: this.frame, timeNs: this.timeNs, state: this.playState, values: this.values }
    })
  }

  /** Stops playing and closes the file. */
  async stop(): Promise<void> {
    this.stopped = true
    this.cancelPump()
    await this.chain.catch(() => undefined)
    await this.it?.return(undefined)
    this.reader.close()
  }

  private get frame(): number {
    return this.batch!.frames[this.k]!
  }

  private get timeNs(): number {
    return this.batch!.timesNs[this.k]!
  }

  private get clockNs(): number {
    return this.timeNs + this.batch!.offsetNs
  }

  private result(): CommandResult {
    return { frame: this.frame, timeNs: this.timeNs, state: this.playState }
  }

  /** Playback commands, snapshots and the pump one at a time: they share the read position. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work)
    this.chain = run.catch(() => undefined)
    return run
  }

  private anchor(): void {
    this.anchorWallMs = performance.now()
    this.anchorClockNs = this.clockNs
  }

  /** Reads the segment from `clockNs` on: the first frame there is the current one. */
  private async open(segment: Segment, clockNs: number): Promise<void> {
    await this.it?.return(undefined)
    this.seg = segment
    this.it = this.reader.batches({ fromNs: clockNs, toNs: segment.endNs })
    this.batch = null
    this.next = null
    for (let r = await this.it.next(); !r.done; r = await this.it.next()) {
      const b = r.value
      const n = b.frames.length
      if (b.timesNs[n - 1]! + b.offsetNs < clockNs) continue
      this.batch = b
      this.k = 0
      while (this.k < n - 1 && b.timesNs[this.k]! + b.offsetNs < clockNs) this.k++
      break
    }
    if (!this.batch) throw new Error(`${this.reader.file}: no frame in segment ${segment.index} at or after ${clockNs} ns`)
    this.publishHeader()
  }

  private publishHeader(): void {
    this.backplane.header[HEADER.frame] = this.frame
    this.backplane.header[HEADER.timeNs] = this.timeNs
  }

  /** The clock of the frame after the current one in this segment, or null at the segment's end. */
  private async peek(): Promise<number | null> {
    const b = this.batch!
    if (this.k + 1 < b.frames.length) return b.timesNs[this.k + 1]! + b.offsetNs
    if (!this.next) {
      const r = await this.it!.next()
      if (r.done) return null
      this.next = r.value
    }
    return this.next.timesNs[0]! + this.next.offsetNs
  }

  /** One frame on, into the next segment at a segment's end; false at the recording's end. */
  private async forward(): Promise<boolean> {
    if ((await this.peek()) === null) {
      const following = this.segments[this.seg.index + 1]
      if (!following) return false
      await this.open(following, following.startNs)
      this.anchor()
      this.emitSegment()
      return true
    }
    if (this.k + 1 < this.batch!.frames.length) this.k++
    else {
      this.batch = this.next
      this.next = null
      this.k = 0
    }
    this.publishHeader()
    return true
  }

  /** A playing replay moves to where its clock is now (afap: a bounded number of frames on). */
  private async catchUp(): Promise<void> {
    if (this.playState !== 'running') return
    if (this.rate === 'afap') {
      for (let i = 0; i < AFAP_FRAMES_PER_TURN; i++) if (!(await this.forward())) return this.end()
      return
    }
    const target = this.anchorClockNs + (performance.now() - this.anchorWallMs) * 1e6 * this.rate
    for (;;) {
      const next = await this.peek()
      if (next === null) {
        const segment = this.seg.index
        if (!(await this.forward())) return this.end()
        // A recorded reset: the next segment plays from its start, on from now.
        if (this.seg.index !== segment) return
        continue
      }
      if (next > target) return
      await this.forward()
    }
  }

  private end(): void {
    if (this.playState === 'ended') return
    this.playState = 'ended'
    this.cancelPump()
    const event: SchedulerEvent = { kind: 'state', state: 'ended', reason: 'end_time', frame: this.frame, timeNs: this.timeNs }
    for (const l of this.listeners) l(event)
  }

  private emitSegment(): void {
    for (const l of this.segmentListeners) l(this.seg.index)
  }

  private cancelPump(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout)
      clearImmediate(this.timer as NodeJS.Immediate)
    }
    this.timer = null
  }

  /** Keeps a playing replay moving (and ending) when no snapshot asks: setImmediate in afap, a timer otherwise. */
  private pump(): void {
    this.cancelPump()
    if (this.stopped || this.playState !== 'running') return
    const again = (): void => {
      this.timer = null
      void this.serial(() => this.catchUp()).then(
        () => this.pump(),
        () => this.pump()
      )
    }
    this.timer = this.rate === 'afap' ? setImmediate(again) : setTimeout(again, PUMP_MS)
    if ('unref' in this.timer) this.timer.unref()
  }
}
