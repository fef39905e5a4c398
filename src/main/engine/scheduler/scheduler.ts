// The engine thread's handle on the scheduler thread: commands as promises, snapshots, events.
import type { Worker } from 'node:worker_threads'
import type { ResolvedConfig } from '../config/types'
import { Backplane, HEADER } from '../backplane/backplane'
import { Command, CommandRing, MAX_STEP_COUNT, RUN_STATES, type LoopStats, type RunState, type SchedulerMessage } from './control'
import type { SchedulerWorkerData } from './schedulerWorker'
import { ProcessHost } from '../modules/process/processHost'
import { startWorker } from '../threads'

export interface CommandResult {
  frame: number
  timeNs: number
  state: RunState
  /** For a step: the frames it ran, fewer than asked when a pause, reset, stop, end_time or fault ended it. */
  stepped?: number
}

/** Frame, time and every value from one frame boundary. */
export interface Snapshot {
  frame: number
  timeNs: number
  state: RunState
  /** Slot order of the backplane. A view that the next snapshot() overwrites: copy what you keep. */
  values: Float64Array
}

export type SchedulerEvent =
  | { kind: 'state'; state: RunState; frame: number; timeNs: number; reason: 'command' | 'end_time' | 'fault' }
  | { kind: 'fault'; module: string; message: string; frame: number }
  | { kind: 'exit'; message: string }

/** Sampled step time of one module since the scheduler started. */
export interface ModuleTime {
  name: string
  totalMs: number
  samples: number
}

/** A command the scheduler refused (step while running, resume after end_time...). */
export class CommandRejected extends Error {
  override name = 'CommandRejected'
}

/** A module stuck in a step holds the loop; after this long a stop kills the processes and the thread. */
const STOP_GRACE_MS = 2000

interface Pending {
  resolve(result: CommandResult): void
  reject(error: Error): void
}

export class Scheduler {
  private readonly snapshotView: Float64Array
  private readonly pending = new Map<number, Pending>()
  private readonly backlog: { kind: Command; id: number; a: number; b: number }[] = []
  private readonly listeners = new Set<(event: SchedulerEvent) => void>()
  private nextId = 1
  private lastState: RunState
  private snapshotInFlight: Promise<Snapshot> | null = null
  private exited = false
  private stopped: Promise<LoopStats> | null = null
  private resolveStopped: ((stats: LoopStats) => void) | null = null

  private constructor(
    readonly config: ResolvedConfig,
    readonly backplane: Backplane,
    private readonly commands: CommandRing,
    snapshot: SharedArrayBuffer,
    private readonly moduleTimesView: Float64Array,
    private readonly worker: Worker,
    private readonly processes: ProcessHost
  ) {
    this.snapshotView = new Float64Array(snapshot)
    this.lastState = config.execution.startPaused || config.execution.mode === 'single_frame' ? 'paused' : 'running'
  }

  /**
   * Starts the process modules (on this thread, which watches them), then the scheduler thread, which
   * builds and stages every module; resolves once the first frame can run.
   */
  static async start(config: ResolvedConfig): Promise<Scheduler> {
    const processes = await ProcessHost.start(config)
    const backplane = Backplane.create(config.modules)
    const commands = new CommandRing()
    const snapshot = new SharedArrayBuffer((HEADER.slots + backplane.names.length) * 8)
    const moduleTimes = new SharedArrayBuffer(config.execution.schedule.length * 2 * 8)
    const data: SchedulerWorkerData = { config, backplane: backplane.buffer, commands: commands.buffer, snapshot, moduleTimes, processes: processes.handoffs() }
    const worker = startWorker(__dirname, 'schedulerWorker', { workerData: data, name: 'hermes-scheduler' })
    const scheduler = new Scheduler(config, backplane, commands, snapshot, new Float64Array(moduleTimes), worker, processes)
    const failed = async (error: Error): Promise<never> => {
      // The thread no longer uses the pipes once it has exited: only then may they close.
      processes.killAll()
      await worker.terminate()
      await processes.stop()
      throw error
    }
    return new Promise<Scheduler>((resolve, reject) => {
      const onMessage = (message: SchedulerMessage): void => {
        if (message.kind === 'ready') {
          worker.off('message', onMessage)
          worker.off('error', onError)
          scheduler.listen()
          resolve(scheduler)
        } else if (message.kind === 'failed') {
          worker.off('message', onMessage)
          worker.off('error', onError)
          failed(new Error(message.message)).catch(reject)
        }
      }
      const onError = (error: Error): void => {
        worker.off('message', onMessage)
        failed(error).catch(reject)
      }
      worker.on('message', onMessage)
      worker.once('error', onError)
    })
  }

  get state(): RunState {
    return this.lastState
  }

  /** Read without synchronisation: each number is written whole, and these are statistics. */
  moduleTimes(): ModuleTime[] {
    return this.config.execution.schedule.map((entry, i) => ({
      name: entry.module,
      totalMs: this.moduleTimesView[2 * i]!,
      samples: this.moduleTimesView[2 * i + 1]!
    }))
  }

  onEvent(listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  pause(): Promise<CommandResult> {
    return this.send(Command.Pause)
  }

  resume(): Promise<CommandResult> {
    return this.send(Command.Resume)
  }

  /**
   * Advances exactly `count` frames (at most MAX_STEP_COUNT); only while paused. Resolves when the step
   * is over, with `stepped` fewer than `count` when pause, resume, reset, stop, end_time or a fault ended it.
   */
  step(count = 1): Promise<CommandResult> {
    if (!Number.isSafeInteger(count) || count < 1) return Promise.reject(new RangeError(`step count must be a positive integer, got ${count}`))
    if (count > MAX_STEP_COUNT) return Promise.reject(new RangeError(`step count must be at most ${MAX_STEP_COUNT}, got ${count}`))
    return this.send(Command.Step, count)
  }

  reset(): Promise<CommandResult> {
    return this.send(Command.Reset)
  }

  /** Writes a value at the next frame boundary. Writability is the caller's policy; this only needs a known name. */
  set(qualified: string, value: number): Promise<CommandResult> {
    const slot = this.backplane.slot(qualified)
    if (slot === undefined) return Promise.reject(new RangeError(`Unknown signal: ${qualified}`))
    return this.send(Command.Set, slot, value)
  }

  /** A consistent snapshot, copied by the scheduler at its next frame boundary; it never waits for us. */
  snapshot(): Promise<Snapshot> {
    if (!this.snapshotInFlight) {
      this.snapshotInFlight = this.send(Command.Snapshot).then(
        () => {
          this.snapshotInFlight = null
          const view = this.snapshotView
          return {
            frame: view[HEADER.frame]!,
            timeNs: view[HEADER.timeNs]!,
            state: RUN_STATES[view[HEADER.state]!] ?? 'paused',
            values: view.subarray(HEADER.slots)
          }
        },
        (error: unknown) => {
          this.snapshotInFlight = null
          throw error
        }
      )
    }
    return this.snapshotInFlight
  }

  /**
   * Stops the loop, lets every module terminate, ends the thread, and resolves once every module process
   * has exited. Safe to call twice.
   */
  stop(): Promise<LoopStats> {
    this.stopped ??= (async () => {
      const stats = await this.stopLoop()
      await this.processes.stop()
      return stats
    })()
    return this.stopped
  }

  private stopLoop(): Promise<LoopStats> {
    return new Promise<LoopStats>((resolve) => {
      if (this.exited) return resolve({ frames: 0, lateness: null })
      const timer = setTimeout(() => {
        this.processes.killAll()
        void this.worker.terminate()
      }, STOP_GRACE_MS)
      this.resolveStopped = (stats) => {
        clearTimeout(timer)
        resolve(stats)
      }
      void this.send(Command.Stop).catch(() => undefined)
    })
  }

  private send(kind: Command, a = 0, b = 0): Promise<CommandResult> {
    if (this.exited) return Promise.reject(new Error('the scheduler has stopped'))
    const id = this.nextId++
    return new Promise<CommandResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.backlog.length > 0 || !this.commands.push(kind, id, a, b)) this.backlog.push({ kind, id, a, b })
    })
  }

  private flushBacklog(): void {
    while (this.backlog.length > 0) {
      const c = this.backlog[0]!
      if (!this.commands.push(c.kind, c.id, c.a, c.b)) return
      this.backlog.shift()
    }
  }

  private emit(event: SchedulerEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  private listen(): void {
    this.worker.on('message', (message: SchedulerMessage) => this.onMessage(message))
    this.worker.on('error', (error) => this.onExit(`scheduler thread failed: ${error.message}`))
    this.worker.on('exit', (code) => this.onExit(`scheduler thread exited with code ${code}`))
  }

  private onMessage(message: SchedulerMessage): void {
    switch (message.kind) {
      case 'done': {
        this.lastState = message.state
        const p = this.pending.get(message.id)
        this.pending.delete(message.id)
        p?.resolve({ frame: message.frame, timeNs: message.timeNs, state: message.state, ...(message.stepped !== undefined ? { stepped: message.stepped } : {}) })
        break
      }
      case 'rejected': {
        const p = this.pending.get(message.id)
        this.pending.delete(message.id)
        p?.reject(new CommandRejected(message.message))
        break
      }
      case 'state':
        this.lastState = message.state
        this.emit(message)
        break
      case 'fault':
        this.emit(message)
        break
      case 'stopped':
        this.resolveStopped?.(message.stats)
        break
      default:
        break
    }
    this.flushBacklog()
  }

  private onExit(message: string): void {
    if (this.exited) return
    this.exited = true
    // A crashed scheduler thread leaves no module process behind either.
    void this.processes.stop()
    for (const p of this.pending.values()) p.reject(new Error(message))
    this.pending.clear()
    if (this.resolveStopped) this.resolveStopped({ frames: 0, lateness: null })
    else this.emit({ kind: 'exit', message })
  }
}
