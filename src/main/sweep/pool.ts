// The local executor: a pool of worker processes (`hermes sweep _worker`), each running one run at a time
// and writing its row; this side hands out indices, kills a run that outlasts run.timeout_s, and replaces
// a worker that dies, recording the run it had as failed. The sweep goes on whatever one run does.
import { fork, type ChildProcess } from 'node:child_process'
import { RecordingFiles, type ResultRow, type ResultsFolder } from './results'
import type { Sweep } from './sweepFile'
import { runParameters } from './plan'

/** How to start a worker process: a Node entry and its arguments (the CLI itself, as it was started). */
export interface WorkerCommand {
  module: string
  args: string[]
  execArgv: string[]
}

export type WorkerMessage = { kind: 'ready' } | { kind: 'done'; index: number; status: ResultRow['status'] } | { kind: 'fatal'; message: string }
export type PoolMessage = { kind: 'run'; index: number }

export interface PoolOptions {
  sweep: Sweep
  folder: ResultsFolder
  indices: readonly number[]
  jobs: number
  worker: WorkerCommand
  /** After every finished run: how many have finished in this pool, and how many of them failed. */
  onRun?: (finished: number, failed: number) => void
}

export interface PoolResult {
  finished: number
  failed: number
  /** Set when the pool gave up (workers that cannot start): the message says why. */
  aborted: string | null
}

/** Workers that die before they are ready this many times in a row mean that none can start. */
const MAX_START_FAILURES = 3
const STDERR_KEPT = 4000

interface Slot {
  child: ChildProcess
  ready: boolean
  index: number | null
  timer: NodeJS.Timeout | null
  stderr: string
  startedMs: number
}

export class WorkerPool {
  private readonly queue: number[]
  private readonly slots = new Set<Slot>()
  private finished = 0
  private failed = 0
  private startFailures = 0
  private stopped = false
  private done!: (result: PoolResult) => void
  private aborted: string | null = null
  private ended = false

  constructor(private readonly opts: PoolOptions) {
    this.queue = [...opts.indices]
  }

  run(): Promise<PoolResult> {
    return new Promise<PoolResult>((resolve) => {
      this.done = resolve
      const n = Math.max(1, Math.min(this.opts.jobs, this.queue.length))
      if (this.queue.length === 0) return this.finish()
      for (let i = 0; i < n; i++) this.spawn()
    })
  }

  /** Stops handing out runs and kills the workers; runs in progress leave no row, so a restart runs them. */
  stop(): void {
    this.stopped = true
    this.queue.length = 0
    for (const slot of this.slots) this.kill(slot)
  }

  private spawn(): void {
    const { worker } = this.opts
    const child = fork(worker.module, worker.args, { execArgv: worker.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, HERMES_LOG: process.env.HERMES_LOG ?? 'warn' } })
    const slot: Slot = { child, ready: false, index: null, timer: null, stderr: '', startedMs: performance.now() }
    this.slots.add(slot)
    child.stderr?.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_KEPT)
    })
    child.on('message', (message: WorkerMessage) => this.onMessage(slot, message))
    child.on('exit', (code, signal) => this.onExit(slot, code, signal))
    child.on('error', () => undefined)
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.kind === 'ready') {
      slot.ready = true
      this.startFailures = 0
      return this.next(slot)
    }
    if (message.kind === 'fatal') {
      this.abort(message.message)
      return
    }
    if (message.kind === 'done' && message.index === slot.index) {
      this.clearTimer(slot)
      slot.index = null
      this.count(message.status)
      this.next(slot)
    }
  }

  private next(slot: Slot): void {
    const index = this.queue.shift()
    if (index === undefined || this.stopped) {
      this.kill(slot)
      return
    }
    slot.index = index
    slot.startedMs = performance.now()
    const timeoutS = this.opts.sweep.timeoutS
    if (timeoutS !== null) {
      slot.timer = setTimeout(() => {
        // Killed for good: the run is failed, and the slot gets a new worker.
        this.recordFailure(index, `the run took longer than run.timeout_s (${timeoutS} s) and was killed`, slot.startedMs)
        slot.index = null
        this.kill(slot)
      }, timeoutS * 1000)
    }
    slot.child.send({ kind: 'run', index } satisfies PoolMessage)
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    this.clearTimer(slot)
    this.slots.delete(slot)
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
    if (slot.index !== null && !this.stopped) {
      const lastLine = slot.stderr.trim().split('\n').slice(-3).join(' | ')
      this.recordFailure(slot.index, `the worker process ${how} during the run${lastLine ? `: ${lastLine}` : ''}`, slot.startedMs)
    }
    if (!slot.ready && !this.stopped && this.aborted === null && code !== 0) {
      this.startFailures++
      if (this.startFailures >= MAX_START_FAILURES) {
        return this.abort(`worker processes cannot start (the last ${how}): ${slot.stderr.trim() || 'no output'}`)
      }
    }
    if (!this.stopped && this.aborted === null && this.queue.length > 0 && this.slots.size < this.opts.jobs) this.spawn()
    if (this.slots.size === 0) this.finish()
  }

  /** A run that left no row of its own: its failure is written here, so that it is not run again by a resume. */
  private recordFailure(index: number, error: string, startedMs: number): void {
    // What the killed run had recorded is not kept: its row says failed, with no recording.
    if (this.opts.sweep.keep === 'recording') new RecordingFiles(this.opts.sweep.resultsDir).clearPartial(index)
    this.opts.folder.write({
      index,
      parameters: runParameters(this.opts.sweep, index),
      metrics: this.opts.sweep.metrics.map(() => null),
      status: 'failed',
      error,
      wallSeconds: (performance.now() - startedMs) / 1000,
      recording: ''
    })
    this.count('failed')
  }

  private count(status: ResultRow['status']): void {
    this.finished++
    if (status === 'failed') this.failed++
    this.opts.onRun?.(this.finished, this.failed)
  }

  private abort(message: string): void {
    if (this.aborted !== null) return
    this.aborted = message
    this.stop()
    if (this.slots.size === 0) this.finish()
  }

  private kill(slot: Slot): void {
    this.clearTimer(slot)
    if (slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL')
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = null
  }

  private finish(): void {
    if (this.ended) return
    this.ended = true
    this.done({ finished: this.finished, failed: this.failed, aborted: this.aborted })
  }
}
