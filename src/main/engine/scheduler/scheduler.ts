// The engine thread's handle on the scheduler thread: commands as promises, snapshots, events.
import type { Worker } from 'node:worker_threads'
import type { ModuleErrorPolicy, ResolvedConfig } from '../config/types'
import { Backplane, HEADER } from '../backplane/backplane'
import { Command, CommandRing, MAX_STEP_COUNT, RUN_STATES, type FaultAction, type HandoffMessage, type LoopStats, type RunState, type SchedulerMessage, type StateReason } from './control'
import type { SchedulerWorkerData } from './schedulerWorker'
import { ProcessHost } from '../modules/process/processHost'
import { startWorker } from '../threads'
import type { TapSetup } from '../recording/frameTap'

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
  | { kind: 'state'; state: RunState; frame: number; timeNs: number; reason: StateReason }
  | { kind: 'fault'; module: string; message: string; frame: number; action: FaultAction }
  | { kind: 'exit'; message: string }

/** The last module fault of the run, until a reset (or a restart) recovers from it. */
export interface ModuleFault {
  module: string
  frame: number
  message: string
}

export interface SchedulerOptions {
  /**
   * Whether clients are served: decides what a fault does when execution.on_module_error is not set
   * (pause when serving, so that the operator can look and reset; stop when not). Default true.
   */
  serving?: boolean
  /** Recording: the scheduler thread sends every frame to this recorder (Recorder.tap). */
  recording?: TapSetup
}

/** execution.on_module_error, or its default for a run that is served or not. */
export function faultPolicy(config: ResolvedConfig, serving: boolean): ModuleErrorPolicy {
  return config.execution.onModuleError ?? (serving ? 'pause' : 'stop')
}

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

/** Young-generation size of the scheduler thread's heap, MB. */
const SCHEDULER_YOUNG_MB = 2

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
  private lastFault: ModuleFault | null = null
  private faults = 0
  private loopStopped = false
  /** Process modules that failed: a reset or restart starts their processes again first. */
  private readonly faultedProcesses = new Set<string>()
  /** Resets and restarts one at a time: each replaces processes. */
  private recovery: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly config: ResolvedConfig,
    readonly backplane: Backplane,
    private readonly commands: CommandRing,
    snapshot: SharedArrayBuffer,
    private readonly moduleTimesView: Float64Array,
    private readonly worker: Worker,
    private readonly processes: ProcessHost,
    readonly policy: ModuleErrorPolicy
  ) {
    this.snapshotView = new Float64Array(snapshot)
    this.lastState = config.execution.startPaused || config.execution.mode === 'single_frame' ? 'paused' : 'running'
  }

  /**
   * Starts the process modules (on this thread, which watches them), then the scheduler thread, which
   * builds and stages every module; resolves once the first frame can run.
   */
  static async start(config: ResolvedConfig, options: SchedulerOptions = {}): Promise<Scheduler> {
    const policy = faultPolicy(config, options.serving ?? true)
    const processes = await ProcessHost.start(config)
    const backplane = Backplane.create(config.modules)
    const commands = new CommandRing()
    const snapshot = new SharedArrayBuffer((HEADER.slots + backplane.names.length) * 8)
    const moduleTimes = new SharedArrayBuffer(config.execution.schedule.length * 2 * 8)
    const data: SchedulerWorkerData = { config, backplane: backplane.buffer, commands: commands.buffer, snapshot, moduleTimes, processes: processes.handoffs(), policy, tap: options.recording ?? null }
    const transferList = options.recording ? [options.recording.port] : []
    // The frame loop allocates nothing per frame: a small young generation is enough, and saves memory
    // (issue 16, footprint: V8 reserves semi-spaces of 16 MB and more per isolate by default).
    const worker = startWorker(__dirname, 'schedulerWorker', { workerData: data, transferList, name: 'hermes-scheduler', resourceLimits: { maxYoungGenerationSizeMb: SCHEDULER_YOUNG_MB } })
    const scheduler = new Scheduler(config, backplane, commands, snapshot, new Float64Array(moduleTimes), worker, processes, policy)
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

  /** The fault the run is in (the module, the frame, what happened), or null. */
  get fault(): ModuleFault | null {
    return this.lastFault
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

  /**
   * Back to frame 0 with every module staged again. A module that failed is restarted first: a new
   * process (its old one and its process group killed), a new worker, or a new instance.
   */
  reset(): Promise<CommandResult> {
    return this.recover(Command.Reset)
  }

  /** Restarts the faulted modules (new processes first) and sends `kind`; the fault clears when it succeeds. */
  private recover(kind: typeof Command.Reset | typeof Command.Restart): Promise<CommandResult> {
    const run = async (): Promise<CommandResult> => {
      const restarted = await this.restartProcesses()
      const faults = this.faults
      try {
        const result = await this.send(kind)
        // Cleared only when no module failed again on the way (a stage that throws is a new fault).
        if (this.faults === faults) this.lastFault = null
        return result
      } finally {
        await Promise.all(restarted.map((release) => release()))
      }
    }
    const next = this.recovery.then(run)
    this.recovery = next.catch(() => undefined)
    return next
  }

  /** New processes for the faulted process modules, posted to the scheduler thread; returns how to release the old ones. */
  private async restartProcesses(): Promise<(() => Promise<void>)[]> {
    const names = [...this.faultedProcesses]
    if (names.length === 0) return []
    const message: HandoffMessage = { kind: 'handoffs', processes: {} }
    const releases: (() => Promise<void>)[] = []
    try {
      for (const name of names) {
        const { handoff, release } = await this.processes.restart(name)
        message.processes[name] = handoff
        releases.push(release)
        this.faultedProcesses.delete(name)
      }
    } catch (error) {
      await Promise.all(releases.map((release) => release()))
      throw new CommandRejected(`cannot restart: ${error instanceof Error ? error.message : String(error)}`)
    }
    // Read by the scheduler thread when the command arrives (before it, as messages keep their order).
    this.worker.postMessage(message)
    return releases
  }

  /** on_module_error: restart. A failure to restart leaves the run paused, reported as a fault. */
  private restartInPlace(fault: ModuleFault): void {
    this.recover(Command.Restart).catch((error: unknown) => {
      if (this.exited) return
      const message = `${fault.message}; restarting it failed: ${error instanceof Error ? error.message : String(error)}`
      this.lastFault = { ...fault, message }
      this.emit({ kind: 'fault', module: fault.module, message, frame: fault.frame, action: 'pause' })
    })
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

  /** What a stop in progress is waiting for, for a person who is waiting too. */
  stopProgress(): string {
    const quote = (names: string[]): string => names.map((n) => `'${n}'`).join(', ')
    if (!this.loopStopped) {
      const blocked = this.processes.blockedModules()
      return blocked.length > 0 ? `waiting for module ${quote(blocked)} to answer its step` : 'waiting for the scheduler to finish its frame'
    }
    const running = this.processes.runningModules()
    return running.length > 0 ? `waiting for module ${quote(running)} to exit` : 'releasing the modules'
  }

  private stopLoop(): Promise<LoopStats> {
    return new Promise<LoopStats>((resolve) => {
      if (this.exited) {
        this.loopStopped = true
        return resolve({ frames: 0, lateness: null, waits: {} })
      }
      const timer = setTimeout(() => {
        this.processes.killAll()
        void this.worker.terminate()
      }, STOP_GRACE_MS)
      this.resolveStopped = (stats) => {
        clearTimeout(timer)
        this.loopStopped = true
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
      case 'fault': {
        const fault = { module: message.module, frame: message.frame, message: message.message }
        this.lastFault = fault
        this.faults++
        if (this.processes.has(message.module)) this.faultedProcesses.add(message.module)
        this.emit(message)
        if (message.action === 'restart') this.restartInPlace(fault)
        break
      }
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
    if (this.resolveStopped) this.resolveStopped({ frames: 0, lateness: null, waits: {} })
    else this.emit({ kind: 'exit', message })
  }
}
