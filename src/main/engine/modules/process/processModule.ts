// A process module as the scheduler thread steps it: synchronous I/O on the module's pipes, spinning
// first while that pays (a fast module on a free core answers within microseconds: spin.ts), then
// sleeping in a blocking read.
import { readSync, writeSync } from 'node:fs'
import type { ResolvedModule } from '../../config/types'
import type { Backplane } from '../../backplane/backplane'
import type { ModuleInstance, StepTime } from '../module'
import { AdaptiveWait, machineLoad, type WaitCounters, type WaitOptions } from '../spin'
import { ChildStatus, quoteStderr, sharedNow } from './childStatus'
import type { ProcessHandoff } from './moduleProcess'
import { badReplyHeader, DONE, encodeInit, FAIL, HEADER_BYTES, RSET, STAG, STEP, STEP_FIELDS_BYTES, TERM, writeHeader } from './protocol'

/**
 * The longest the scheduler spins on the non-blocking pipe before sleeping in the blocking one. A C module
 * answers a step in a few µs and Python in 20 to 50 µs; sleeping costs 10 to 30 µs of wake-up on each side.
 */
const SPIN_MS = 0.2
/** Waiting for the engine thread to see a process exit, which it publishes after draining stderr. */
const EXIT_WAIT_MS = 3000
const U32 = 2 ** 32

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code
}

export class ProcessModule implements ModuleInstance {
  private readonly status: ChildStatus
  private readonly inputSlots: Int32Array
  private readonly outputSlots: Int32Array
  private readonly values: Float64Array
  /** STEP message, reused: header, u64 frame, i64 time_ns, f64 time, f64 dt, f64 inputs. */
  private readonly stepMessage: Buffer
  private readonly stepWords: Uint32Array
  private readonly stepFloats: Float64Array
  /** STAG and RSET messages: header and f64 inputs. */
  private readonly restart: Buffer
  private readonly restartInputs: Float64Array
  private readonly reply: Buffer
  private readonly replyValues: Float64Array
  private readonly name: string
  /** Set once the process is gone or unusable; every later call fails with it. */
  private dead: string | null = null
  private timeoutMs: number
  private readonly waiter: AdaptiveWait
  /** The non-blocking read that `waiter` polls, with its arguments and result in fields: no closure per read. */
  private readonly tryRead: () => boolean
  private readBuffer: Buffer
  private readOffset = 0
  private readLength = 0
  private readCount = 0

  constructor(
    mod: ResolvedModule,
    backplane: Backplane,
    private readonly proc: ProcessHandoff,
    wait: WaitOptions = {}
  ) {
    this.name = proc.spec.display
    this.waiter = new AdaptiveWait(SPIN_MS, { load: machineLoad(), ...wait })
    this.status = new ChildStatus(proc.status)
    this.values = backplane.values
    const slot = (local: string): number => {
      const index = backplane.slot(`${mod.name}.${local}`)
      if (index === undefined) throw new Error(`module '${mod.name}' has no signal '${local}'`)
      return index
    }
    const inputs = mod.signals.filter((s) => s.writable)
    const outputs = mod.signals.filter((s) => !s.writable)
    this.inputSlots = Int32Array.from(inputs, (s) => slot(s.name))
    this.outputSlots = Int32Array.from(outputs, (s) => slot(s.name))

    // Own ArrayBuffers, so that the float views are aligned.
    const stepBytes = HEADER_BYTES + STEP_FIELDS_BYTES + 8 * inputs.length
    this.stepMessage = Buffer.from(new ArrayBuffer(stepBytes))
    writeHeader(this.stepMessage, STEP, stepBytes - HEADER_BYTES)
    this.stepWords = new Uint32Array(this.stepMessage.buffer, HEADER_BYTES, 4)
    this.stepFloats = new Float64Array(this.stepMessage.buffer, HEADER_BYTES + 16)
    const restartBytes = HEADER_BYTES + 8 * inputs.length
    this.restart = Buffer.from(new ArrayBuffer(restartBytes))
    this.restartInputs = new Float64Array(this.restart.buffer, HEADER_BYTES)
    this.reply = Buffer.from(new ArrayBuffer(HEADER_BYTES + 8 * outputs.length))
    this.replyValues = new Float64Array(this.reply.buffer, HEADER_BYTES)
    this.readBuffer = this.reply
    this.tryRead = () => {
      try {
        this.readCount = readSync(this.proc.reply, this.readBuffer, this.readOffset, this.readLength, null)
        return true
      } catch (error) {
        const code = errorCode(error)
        if (code !== 'EAGAIN' && code !== 'EINTR') throw error
        return false
      }
    }

    this.timeoutMs = proc.spec.startupTimeoutMs
    const init = encodeInit(
      inputs.map((s) => ({ name: s.name, initial: s.initial })),
      outputs.map((s) => ({ name: s.name, initial: s.initial }))
    )
    this.exchange(init, init.length, 'INIT', false)
    this.timeoutMs = proc.spec.timeoutMs
  }

  /** How the scheduler waited for this module's replies (spin.ts). */
  waitCounters(): Readonly<WaitCounters> {
    return this.waiter.counters
  }

  stage(): void {
    this.restartWith(STAG, 'stage')
  }

  reset(): void {
    this.restartWith(RSET, 'reset')
  }

  step(t: StepTime): void {
    const words = this.stepWords
    words[0] = t.frame % U32
    words[1] = Math.floor(t.frame / U32)
    words[2] = t.timeNs % U32
    words[3] = Math.floor(t.timeNs / U32)
    const floats = this.stepFloats
    floats[0] = t.time
    floats[1] = t.dt
    const slots = this.inputSlots
    const values = this.values
    for (let i = 0; i < slots.length; i++) floats[2 + i] = values[slots[i]!]!
    this.exchange(this.stepMessage, this.stepMessage.length, 'step', true)
  }

  /** Asks the module to end (the engine thread closes its stdin and waits for the exit). Never throws. */
  terminate(): void {
    if (this.dead) return
    this.dead = `${this.name} was terminated`
    const message = Buffer.alloc(HEADER_BYTES)
    writeHeader(message, TERM, 0)
    try {
      writeSync(this.proc.request, message)
    } catch {
      // Its stdin is gone: it has exited already.
    }
  }

  private restartWith(tag: number, what: string): void {
    writeHeader(this.restart, tag, this.restart.length - HEADER_BYTES)
    const slots = this.inputSlots
    for (let i = 0; i < slots.length; i++) this.restartInputs[i] = this.values[slots[i]!]!
    this.exchange(this.restart, this.restart.length, what, true)
  }

  /** One request and its reply; a DONE's outputs go to the backplane when `outputs` says so. */
  private exchange(request: Buffer, length: number, what: string, outputs: boolean): void {
    if (this.dead) throw new Error(`${this.name} is not running: ${this.dead}`)
    const since = sharedNow()
    this.send(request, length, what, since)
    const expected = outputs ? this.reply.length : HEADER_BYTES
    const reply = this.receive(expected, what, since)
    if (reply.readUInt32LE(0) === FAIL) {
      const text = reply.toString('utf8', HEADER_BYTES, HEADER_BYTES + reply.readUInt32LE(4))
      throw new Error(`${this.name} failed in ${what}: ${text.trim() || 'no message'}`)
    }
    if (!outputs) return
    const slots = this.outputSlots
    const got = this.replyValues
    for (let i = 0; i < slots.length; i++) this.values[slots[i]!] = got[i]!
  }

  private send(request: Buffer, length: number, what: string, since: number): void {
    let sent = 0
    while (sent < length) {
      try {
        sent += writeSync(this.proc.request, request, sent, length - sent)
      } catch (error) {
        const code = errorCode(error)
        if (code !== 'EAGAIN' && code !== 'EINTR') throw this.gone(what, `its stdin failed (${String(code)})`)
        // A full pipe: the module is not reading. Poll rather than block, to keep the timeout.
        if (sharedNow() - since > this.timeoutMs) throw this.hung(what)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
      }
    }
  }

  /** Reads one whole reply: DONE of exactly `expected` bytes, or FAIL of any length up to its limit. */
  private receive(expected: number, what: string, since: number): Buffer {
    let buffer = this.reply
    let need = expected
    let got = 0
    let checked = false
    while (got < need) {
      const n = this.read(buffer, got, need - got, since)
      if (n === 0) throw this.gone(what, null)
      got += n
      if (checked || got < HEADER_BYTES) continue
      checked = true
      const bad = badReplyHeader(buffer.subarray(0, HEADER_BYTES), [DONE, FAIL])
      if (bad) throw this.garbage(what, bad)
      const total = HEADER_BYTES + buffer.readUInt32LE(4)
      if (buffer.readUInt32LE(0) === DONE && total !== expected) {
        throw this.garbage(what, `its DONE carries ${total - HEADER_BYTES} bytes where ${expected - HEADER_BYTES} (${(expected - HEADER_BYTES) / 8} outputs) were expected`)
      }
      if (total > buffer.length) {
        const larger = Buffer.alloc(total)
        buffer.copy(larger, 0, 0, got)
        buffer = larger
      }
      need = total
    }
    return buffer
  }

  /** Bytes read, 0 at end of file. Polls the non-blocking pipe while the waiter says spinning pays, then blocks. */
  private read(buffer: Buffer, offset: number, length: number, since: number): number {
    this.readBuffer = buffer
    this.readOffset = offset
    this.readLength = length
    if (this.waiter.spin(this.tryRead)) return this.readCount
    this.waiter.blocked()
    for (;;) {
      // The engine thread's watchdog kills the module if this read outlasts the timeout: we then read end of file.
      this.status.blockedSince(since, this.timeoutMs)
      try {
        return readSync(this.proc.replyBlocking, buffer, offset, length, null)
      } catch (error) {
        if (errorCode(error) !== 'EINTR') throw error
      } finally {
        this.status.unblocked()
      }
    }
  }

  /** The module's whole process group: a child it started may hold the pipe this thread reads. */
  private kill(): void {
    try {
      process.kill(-this.proc.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }

  /** The process closed its output (it exited, was killed by the watchdog, or closed stdout). */
  private gone(what: string, reason: string | null): Error {
    if (!this.status.waitForExit(EXIT_WAIT_MS)) {
      this.kill()
      this.status.waitForExit(EXIT_WAIT_MS)
    }
    let how: string
    if (this.status.timedOut) how = `did not answer ${what} within ${this.timeoutMs / 1000} s (timeout_s) and was killed`
    else if (reason) how = `${reason} during ${what} and was killed`
    else how = `${this.status.describeExit()} during ${what}`
    this.dead = how
    return new Error(`${this.name} ${how}${quoteStderr(this.status.stderrTail())}`)
  }

  private hung(what: string): Error {
    this.kill()
    this.status.markTimedOut()
    return this.gone(what, null)
  }

  private garbage(what: string, why: string): Error {
    this.kill()
    this.status.waitForExit(EXIT_WAIT_MS)
    this.dead = `it broke the protocol during ${what} and was killed`
    return new Error(
      `${this.name} broke the protocol during ${what}: ${why}. A module writes only protocol messages on its standard output (print to standard error); it was killed${quoteStderr(this.status.stderrTail())}`
    )
  }
}
