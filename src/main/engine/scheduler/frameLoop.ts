// The scheduler's loop: commands at frame boundaries, modules in schedule order, wires, then time.
// It runs on the scheduler thread; nothing in the per-frame path allocates.
import type { ResolvedConfig } from '../config/types'
import { Backplane, HEADER } from '../backplane/backplane'
import { createModule } from '../modules/factory'
import type { ModuleInstance, StepTime } from '../modules/module'
import type { ProcessHandoff } from '../modules/process/moduleProcess'
import { WireRouter } from '../router/wires'
import { Command, CommandRing, RUN_STATES, type CommandEntry, type LatenessStats, type RunState, type SchedulerMessage } from './control'
import { LatenessRecorder } from './lateness'
import { MAX_EXACT_TIME_NS } from './time'

interface Stepper {
  name: string
  module: ModuleInstance
  substeps: number
  subDtNs: number
  time: StepTime
}

/** Longest a paused or waiting loop sleeps before looking again; commands wake it at once anyway. */
const IDLE_WAIT_MS = 250
/**
 * Sleeping wakes up late by a margin that depends on the machine and its load, so the last stretch
 * before a realtime deadline is spun. The margin is learnt: the recent worst oversleep, decaying. Spinning
 * is capped at a fifth of the frame period, so a loaded machine costs pacing accuracy, not a whole core.
 */
const SPIN = { initialMs: 0.3, minMs: 0.05, maxMs: 1, periodShare: 0.2, decay: 0.995, headroom: 1.25 } as const
/** Further behind the wall clock than this, a realtime run drops the debt instead of bursting to catch up. */
const CATCH_UP_LIMIT_MS = 100
const TIMING_PERIOD = 64

export interface FrameLoopOptions {
  /** Return from run() when end_time is reached instead of waiting for commands (benchmarks). */
  exitOnEnd?: boolean
}

export class FrameLoop {
  readonly backplane: Backplane
  private readonly steppers: Stepper[]
  private readonly router: WireRouter
  private readonly initial: Float64Array
  private readonly snapshot: Float64Array
  /** Per schedule entry: total sampled step time in ms, and number of samples (read by the engine thread). */
  private readonly moduleTimes: Float64Array
  private readonly dtNs: number
  private readonly endTimeNs: number
  private state: RunState
  private frame = 0
  private timeNs = 0
  private read = 0
  private stopping = false
  private wallStartMs = 0
  private oversleepMs: number = SPIN.initialMs
  private readonly lateness: LatenessRecorder | null
  private readonly entry: CommandEntry = { kind: Command.Pause, id: 0, a: 0, b: 0 }
  /** Index in `steppers` of the module being stepped, to name it when it throws. */
  private current = -1

  constructor(
    private readonly config: ResolvedConfig,
    backplaneBuffer: SharedArrayBuffer,
    private readonly commands: CommandRing,
    snapshotBuffer: SharedArrayBuffer,
    moduleTimesBuffer: SharedArrayBuffer,
    private readonly post: (message: SchedulerMessage) => void,
    processes: Readonly<Record<string, ProcessHandoff>> = {}
  ) {
    const names = config.modules.flatMap((m) => m.signals.map((s) => s.qualified))
    this.backplane = Backplane.attach(backplaneBuffer, names)
    this.snapshot = new Float64Array(snapshotBuffer)
    this.moduleTimes = new Float64Array(moduleTimesBuffer)
    this.initial = Float64Array.from(config.modules.flatMap((m) => m.signals.map((s) => s.initial)))
    this.dtNs = config.execution.dtNs
    this.endTimeNs = config.execution.endTimeNs ?? Infinity
    const byName = new Map(config.modules.map((m) => [m.name, m]))
    this.steppers = []
    try {
      for (const entry of config.execution.schedule) {
        const mod = byName.get(entry.module)
        if (!mod) throw new Error(`schedule names unknown module ${entry.module}`)
        const subDtNs = Math.round(this.dtNs / entry.substeps)
        this.steppers.push({
          name: mod.name,
          module: createModule(mod, this.backplane, { config, processes }),
          substeps: entry.substeps,
          subDtNs,
          time: { frame: 0, timeNs: 0, time: 0, dt: subDtNs / 1e9 }
        })
      }
    } catch (error) {
      // Workers and processes of the modules built so far must not outlive a failed start.
      this.terminateModules()
      throw error
    }
    this.router = new WireRouter(config.wires, this.backplane)
    this.state = config.execution.startPaused || config.execution.mode === 'single_frame' ? 'paused' : 'running'
    this.lateness = config.execution.mode === 'realtime' ? new LatenessRecorder() : null
  }

  get frameCount(): number {
    return this.frame
  }

  get runState(): RunState {
    return this.state
  }

  /** Initial values into every slot, then each module's stage(). A module that throws fails the start. */
  stage(): void {
    this.restoreInitialState((m) => m.stage?.(), false)
  }

  /** Back to the staged state: initial values, then each module's reset() (or stage() if it has none). */
  private reset(): void {
    this.restoreInitialState((m) => (m.reset ? m.reset() : m.stage?.()), true)
    this.rebaseWallClock()
  }

  /** With `reportFaults`, a module that throws is reported (the run pauses) and the others still restore. */
  private restoreInitialState(restore: (m: ModuleInstance) => void, reportFaults: boolean): void {
    this.backplane.values.set(this.initial)
    let failed: { name: string; message: string } | null = null
    for (const s of this.steppers) {
      try {
        restore(s.module)
      } catch (error) {
        if (!reportFaults) throw new Error(`module '${s.name}' failed to stage: ${error instanceof Error ? error.message : String(error)}`)
        failed ??= { name: s.name, message: error instanceof Error ? error.message : String(error) }
      }
    }
    this.frame = 0
    this.timeNs = 0
    this.publishHeader()
    if (failed) this.fault(failed.name, failed.message)
  }

  /** Ends every module's worker or process; a module that fails to end does not stop the others. */
  terminateModules(): void {
    for (const s of this.steppers) {
      try {
        s.module.terminate?.()
      } catch {
        // Nothing to report to: the run is over. Processes are killed by the engine thread anyway.
      }
    }
  }

  run(options: FrameLoopOptions = {}): void {
    this.rebaseWallClock()
    while (!this.stopping) {
      if (this.commands.pending(this.read)) this.drainCommands()
      if (this.stopping) break
      if (this.state !== 'running') {
        this.commands.waitForCommand(this.read, IDLE_WAIT_MS)
        continue
      }
      // In realtime the end too waits for its wall-clock moment, so a run of 10 s takes 10 s.
      if (this.lateness && !this.waitForFrameStart()) continue
      if (this.timeNs >= this.endTimeNs) {
        this.lateness?.finish(performance.now() - this.wallStartMs - this.timeNs / 1e6)
        this.end()
        if (options.exitOnEnd) break
        continue
      }
      this.stepFrameSafely()
    }
    this.terminateModules()
  }

  latenessStats(): LatenessStats | null {
    return this.lateness?.stats() ?? null
  }

  /** One frame: every wire, every module in schedule order (sub-stepped at its own rate), every wire again, then time. */
  stepFrame(): void {
    const frame = this.frame
    const timeNs = this.timeNs
    const steppers = this.steppers
    // Step times are sampled one frame in TIMING_PERIOD: enough for a status display, and cheap.
    const timed = frame % TIMING_PERIOD === 0
    // Wires also run before the modules, as in Hermes (phase 3 routes before stepping): a value set at
    // this frame boundary reaches the modules wired to it in this frame, not the next. Without a set
    // or reset since the last pass this changes nothing: module outputs were routed at the last frame's end.
    this.router.route(this.backplane.values)
    for (let i = 0; i < steppers.length; i++) {
      const s = steppers[i]!
      this.current = i
      const t = s.time
      t.frame = frame
      const started = timed ? performance.now() : 0
      for (let k = 0; k < s.substeps; k++) {
        t.timeNs = timeNs + k * s.subDtNs
        t.time = t.timeNs / 1e9
        s.module.step(t)
      }
      if (timed) {
        const times = this.moduleTimes
        times[2 * i] = times[2 * i]! + performance.now() - started
        times[2 * i + 1] = times[2 * i + 1]! + 1
      }
    }
    this.current = -1
    this.router.route(this.backplane.values)
    this.frame = frame + 1
    this.timeNs = this.frame * this.dtNs
    const header = this.backplane.header
    header[HEADER.frame] = this.frame
    header[HEADER.timeNs] = this.timeNs
  }

  /** Steps one frame; a module that throws pauses the run and is reported, instead of killing the thread. */
  private stepFrameSafely(): boolean {
    if (this.timeNs + this.dtNs > MAX_EXACT_TIME_NS) {
      this.fault('scheduler', `simulated time would exceed ${MAX_EXACT_TIME_NS} ns, beyond exact integer time`)
      return false
    }
    try {
      this.stepFrame()
      return true
    } catch (error) {
      const name = this.current >= 0 ? this.steppers[this.current]!.name : 'wiring'
      this.current = -1
      this.fault(name, error instanceof Error ? error.message : String(error))
      return false
    }
  }

  private fault(module: string, message: string): void {
    this.post({ kind: 'fault', module, message, frame: this.frame })
    this.setState('paused', 'fault')
  }

  private end(): void {
    this.setState('ended', 'end_time')
  }

  private setState(state: RunState, reason: 'command' | 'end_time' | 'fault'): void {
    if (state === 'running' && this.state !== 'running') this.rebaseWallClock()
    this.state = state
    this.publishHeader()
    this.post({ kind: 'state', state, frame: this.frame, timeNs: this.timeNs, reason })
  }

  private publishHeader(): void {
    const header = this.backplane.header
    header[HEADER.frame] = this.frame
    header[HEADER.timeNs] = this.timeNs
    header[HEADER.state] = RUN_STATES.indexOf(this.state)
  }

  /** Realtime pacing against an absolute schedule; returns false when a command arrived first. */
  private waitForFrameStart(): boolean {
    const due = this.wallStartMs + this.timeNs / 1e6
    for (;;) {
      const now = performance.now()
      const remaining = due - now
      if (remaining <= 0) {
        if (-remaining > CATCH_UP_LIMIT_MS) {
          this.lateness?.rebase()
          this.rebaseWallClock()
        } else {
          this.lateness?.record(-remaining)
        }
        return true
      }
      if (this.commands.pending(this.read)) return false
      const spinMs = Math.min(SPIN.maxMs, (this.dtNs / 1e6) * SPIN.periodShare, Math.max(SPIN.minMs, this.oversleepMs * SPIN.headroom))
      if (remaining > spinMs) {
        const wakeAt = now + remaining - spinMs
        this.commands.waitForCommand(this.read, remaining - spinMs)
        const late = performance.now() - wakeAt
        // Woken early by a command says nothing about oversleeping.
        if (late > 0) this.oversleepMs = Math.max(late, this.oversleepMs * SPIN.decay)
      }
    }
  }

  /** Wall-clock time at which simulated time zero would have started, so that pauses do not count. */
  private rebaseWallClock(): void {
    this.wallStartMs = performance.now() - this.timeNs / 1e6
  }

  private drainCommands(): void {
    const written = this.commands.written()
    const entry = this.entry
    while (this.read < written) {
      this.commands.read(this.read, entry)
      this.read++
      this.commands.markRead(this.read)
      this.execute(entry)
    }
  }

  private execute(c: CommandEntry): void {
    switch (c.kind) {
      case Command.Pause:
        if (this.state === 'running') this.setState('paused', 'command')
        return this.done(c.id)
      case Command.Resume:
        if (this.config.execution.mode === 'single_frame') return this.reject(c.id, 'resume is not available in single_frame mode; use step')
        if (this.state === 'ended') return this.reject(c.id, 'the run has reached end_time; reset to run it again')
        if (this.state === 'paused') this.setState('running', 'command')
        return this.done(c.id)
      case Command.Step: {
        if (this.state === 'running') return this.reject(c.id, 'step is only allowed while paused')
        if (this.state === 'ended') return this.reject(c.id, 'the run has reached end_time; reset to run it again')
        for (let n = 0; n < c.a; n++) {
          if (this.timeNs >= this.endTimeNs) {
            this.end()
            break
          }
          if (!this.stepFrameSafely()) break
        }
        return this.done(c.id)
      }
      case Command.Reset:
        this.reset()
        // Reset keeps running or paused as it was; an ended run comes back paused, ready to go again.
        this.setState(this.state === 'ended' ? 'paused' : this.state, 'command')
        return this.done(c.id)
      case Command.Set:
        this.backplane.values[c.a] = c.b
        return this.done(c.id)
      case Command.Snapshot:
        this.copySnapshot()
        return this.done(c.id)
      case Command.Stop:
        this.stopping = true
        return this.done(c.id)
    }
  }

  private copySnapshot(): void {
    this.publishHeader()
    this.snapshot.set(this.backplane.header, 0)
    this.snapshot.set(this.backplane.values, HEADER.slots)
  }

  private done(id: number): void {
    this.post({ kind: 'done', id, frame: this.frame, timeNs: this.timeNs, state: this.state })
  }

  private reject(id: number, message: string): void {
    this.post({ kind: 'rejected', id, message })
  }
}
