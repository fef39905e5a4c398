// What the engine thread knows about a module process (exit, last lines of stderr) and what the scheduler
// thread tells it (blocked in a read since when), in shared memory: the scheduler never waits for messages.
import { constants } from 'node:os'
import { LOG_LINE_CHARS } from '../../logBounds'

const I = { state: 0, exitCode: 1, signal: 2, blocked: 3, timedOut: 4, stderrBytes: 5 } as const
const F = { waitSince: 4, timeoutMs: 5 } as const
const TEXT_AT = 64
const TEXT_BYTES = 4096

export const RUNNING = 0
export const EXITED = 1

/** Milliseconds on a clock that every thread of the process shares. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now()
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]))

export class ChildStatus {
  private readonly ints: Int32Array
  private readonly floats: Float64Array
  private readonly text: Uint8Array

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(TEXT_AT + TEXT_BYTES)) {
    this.ints = new Int32Array(buffer, 0, 8)
    this.floats = new Float64Array(buffer, 0, 8)
    this.text = new Uint8Array(buffer, TEXT_AT, TEXT_BYTES)
  }

  // Engine thread.

  /** The tail of the module's stderr so far, for messages about it. */
  setStderrTail(tail: string): void {
    const bytes = Buffer.from(tail, 'utf8')
    const start = Math.max(0, bytes.length - TEXT_BYTES)
    this.text.set(bytes.subarray(start))
    Atomics.store(this.ints, I.stderrBytes, bytes.length - start)
  }

  setExited(code: number | null, signal: NodeJS.Signals | null): void {
    this.ints[I.exitCode] = code ?? -1
    this.ints[I.signal] = signal ? (constants.signals[signal] ?? -1) : 0
    Atomics.store(this.ints, I.state, EXITED)
    Atomics.notify(this.ints, I.state)
  }

  /** Called periodically: true when the scheduler has been blocked on this module for longer than allowed. */
  overdue(now: number): boolean {
    return Atomics.load(this.ints, I.blocked) === 1 && now - this.floats[F.waitSince]! > this.floats[F.timeoutMs]!
  }

  markTimedOut(): void {
    Atomics.store(this.ints, I.timedOut, 1)
  }

  // Scheduler thread.

  /** Around a blocking read: the engine thread's watchdog kills the module if it stays blocked too long. */
  blockedSince(since: number, timeoutMs: number): void {
    this.floats[F.waitSince] = since
    this.floats[F.timeoutMs] = timeoutMs
    Atomics.store(this.ints, I.blocked, 1)
  }

  unblocked(): void {
    Atomics.store(this.ints, I.blocked, 0)
  }

  /** True while the scheduler thread waits in a read for this module's reply. */
  get blocked(): boolean {
    return Atomics.load(this.ints, I.blocked) === 1
  }

  get timedOut(): boolean {
    return Atomics.load(this.ints, I.timedOut) === 1
  }

  get exited(): boolean {
    return Atomics.load(this.ints, I.state) === EXITED
  }

  /** Sleeps until the engine thread has seen the process exit; false when it did not within `ms`. */
  waitForExit(ms: number): boolean {
    Atomics.wait(this.ints, I.state, RUNNING, ms)
    return this.exited
  }

  /** `exited with code 3` or `was killed by signal SIGSEGV`. */
  describeExit(): string {
    const signal = this.ints[I.signal]!
    if (signal !== 0) return `was killed by signal ${SIGNAL_NAMES.get(signal) ?? signal}`
    return `exited with code ${this.ints[I.exitCode]}`
  }

  stderrTail(): string {
    const length = Atomics.load(this.ints, I.stderrBytes)
    return Buffer.from(this.text.subarray(0, length)).toString('utf8')
  }
}

/** The last `lines` lines of a stderr tail, indented, for the end of an error message; empty when there are none. */
export function quoteStderr(tail: string, lines = 8): string {
  const kept = tail.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-lines)
  return kept.length === 0 ? '' : `; last lines of its standard error:\n${kept.map((l) => `  | ${l}`).join('\n')}`
}

/** `tail + chunk`, keeping the last `max` characters, in time bounded by `max` plus the chunk's length. */
export function appendTail(tail: string, chunk: string, max: number): string {
  if (chunk.length >= max) return chunk.slice(-max)
  const keep = max - chunk.length
  return (tail.length > keep ? tail.slice(-keep) : tail) + chunk
}

/**
 * Splits a module's stderr into lines for the log. A line is kept up to LOG_LINE_CHARS and the rest of it
 * only counted, so a megabyte without a newline costs neither memory nor a rescan of what came before.
 */
export class StderrLines {
  private partial = ''
  private dropped = 0

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxChars = LOG_LINE_CHARS
  ) {}

  push(chunk: string): void {
    let from = 0
    for (;;) {
      const nl = chunk.indexOf('\n', from)
      if (nl < 0) break
      this.add(chunk, from, nl)
      this.emitLine()
      from = nl + 1
    }
    this.add(chunk, from, chunk.length)
  }

  /** Emits the line in progress, if any (at a newline, or when the stream ends). */
  flush(): void {
    if (this.partial !== '' || this.dropped > 0) this.emitLine()
  }

  private emitLine(): void {
    this.emit(this.dropped > 0 ? `${this.partial}… (${this.dropped} more characters)` : this.partial)
    this.partial = ''
    this.dropped = 0
  }

  private add(chunk: string, from: number, to: number): void {
    const room = this.maxChars - this.partial.length
    const take = Math.min(room, to - from)
    if (take > 0) this.partial += chunk.slice(from, from + take)
    this.dropped += to - from - Math.max(0, take)
  }
}
