// The scheduler's loop: commands at frame boundaries, modules in schedule order, wires, then time.
// It runs on the scheduler thread; nothing in the per-frame path allocates.
import type { ModuleErrorPolicy, ResolvedConfig, ResolvedModule } from '../config/types'
import { Backplane, HEADER } from '../backplane/backplane'
import { createModule } from '../modules/factory'
import type { ModuleInstance, StepTime } from '../modules/module'
import type { WaitCounters } from '../modules/spin'
import type { ProcessHandoff } from '../modules/process/moduleProcess'
import { WireRouter } from '../router/wires'
import { Command, CommandRing, MAX_RESTARTS, RUN_STATES, type CommandEntry, type FaultAction, type LatenessStats, type RunState, type SchedulerMessage, type StateReason } from './control'
import { LatenessRecorder } from './lateness'
import type { FrameTap } from '../recording/frameTap'
import { MAX_EXACT_TIME_NS } from './time'

interface Stepper {
  name: string
  config: ResolvedModule
  module: ModuleInstance
  /** It failed (threw, exited, timed out): a Reset or Restart builds it again before it steps. */
  faulted: boolean
  /** Built again since the last reset or restart: it is staged rather than reset. */
  fresh: boolean
  /** Restarts on faults since the last reset (at most MAX_RESTARTS). */
  restarts: number
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

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

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
  /** Where a Restart returns to: the state the run was in when the fault that restarts a module came. */
  private stateBeforeFault: RunState = 'paused'
  private inFault = false
  /**
   * A step in progress. It runs one frame per loop turn, so commands (pause, reset, stop, snapshots)
   * still act between its frames: a step of a billion frames never freezes the clients.
   */
  private stepId = 0
  private stepCount = 0
  private stepDone = 0
  private stepActive = false

  constructor(
    private readonly config: ResolvedConfig,
    backplaneBuffer: SharedArrayBuffer,
    private readonly commands: CommandRing,
    snapshotBuffer: SharedArrayBuffer,
    moduleTimesBuffer: SharedArrayBuffer,
    private readonly post: (message: SchedulerMessage) => void,
    processes: Readonly<Record<string, ProcessHandoff>> = {},
    private readonly policy: ModuleErrorPolicy = 'pause',
    /** New processes for faulted process modules, which the engine thread posts before a Reset or Restart. */
    private readonly takeHandoffs: () => Record<string, ProcessHandoff> = () => ({}),
    /** Recording: every frame's recorded values go to it (a copy per frame; batches leave the thread). */
    private readonly tap: FrameTap | null = null
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
          config: mod,
          module: createModule(mod, this.backplane, { config, processes }),
          faulted: false,
          fresh: false,
          restarts: 0,
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

  /**
   * Back to the staged state: faulted modules built again (a new worker, process or instance), initial
   * values, then each module's reset() (stage() for a new one, or one without reset). Null, or why not.
   */
  private reset(): string | null {
    const failed = this.rebuildFaulted()
    this.inFault = false
    for (const s of this.steppers) s.restarts = 0
    this.restoreInitialState((m, s) => (m.reset && !s.fresh ? m.reset() : m.stage?.()), true)
    this.rebaseWallClock()
    return failed
  }

  /** With `reportFaults`, a module that throws is reported (the run pauses) and the others still restore. */
  private restoreInitialState(restore: (m: ModuleInstance, s: Stepper) => void, reportFaults: boolean): void {
    this.backplane.values.set(this.initial)
    let failed: { index: number; message: string } | null = null
    for (let i = 0; i < this.steppers.length; i++) {
      const s = this.steppers[i]!
      if (s.faulted) continue
      try {
        restore(s.module, s)
        s.fresh = false
      } catch (error) {
        if (!reportFaults) throw new Error(`module '${s.name}' failed to stage: ${messageOf(error)}`)
        failed ??= { index: i, message: messageOf(error) }
      }
    }
    this.frame = 0
    this.timeNs = 0
    this.publishHeader()
    if (this.tap) {
      // A reset starts a new segment of the recording, which begins, like the first, with frame 0.
      if (reportFaults) this.tap.newSegment()
      this.tap.capture(0, 0, this.backplane.values)
    }
    if (failed) this.moduleFault(failed.index, failed.message, false)
  }

  /**
   * Ends every faulted module and builds it again from its configuration; a process module gets the
   * new process the engine thread started and posted. Returns why one could not be built, or null.
   */
  private rebuildFaulted(): string | null {
    if (!this.steppers.some((s) => s.faulted)) return null
    const processes = this.takeHandoffs()
    let failed: string | null = null
    for (const s of this.steppers) {
      if (!s.faulted) continue
      try {
        s.module.terminate?.()
      } catch {
        // It is being replaced: whatever its end says, the new one starts.
      }
      try {
        s.module = createModule(s.config, this.backplane, { config: this.config, processes })
        s.faulted = false
        s.fresh = true
      } catch (error) {
        failed ??= `module '${s.name}' could not be restarted: ${messageOf(error)}`
      }
    }
    return failed
  }

  /** Restart in place (on_module_error: restart): faulted modules built again and staged, the rest untouched. */
  private restart(): string | null {
    // A reset may have come first and recovered already: then there is nothing to restart or resume.
    if (!this.steppers.some((s) => s.faulted)) return null
    const failed = this.rebuildFaulted()
    if (failed) return failed
    for (let i = 0; i < this.steppers.length; i++) {
      const s = this.steppers[i]!
      if (!s.fresh) continue
      try {
        s.module.stage?.()
        s.fresh = false
      } catch (error) {
        this.moduleFault(i, `failed to stage after its restart: ${messageOf(error)}`, false)
        return `module '${s.name}' failed to stage after its restart`
      }
    }
    this.publishHeader()
    this.inFault = false
    if (this.state === 'paused' && this.stateBeforeFault === 'running') this.setState('running', 'restart')
    else this.setState(this.state, 'restart')
    return null
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
      if (this.stepActive) {
        this.stepOnce()
        continue
      }
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
    if (this.stepActive) this.finishStep()
    this.tap?.close()
    this.terminateModules()
  }

  /** One frame of the step in progress; the step ends at its count, at end_time or at a fault. */
  private stepOnce(): void {
    if (this.timeNs >= this.endTimeNs) {
      this.end()
      return this.finishStep()
    }
    const before = this.frame
    const ok = this.stepFrameSafely()
    // A module that restarts fails the step, but the rest of its frame ran: that frame counts.
    if (this.frame > before) this.stepDone++
    if (!ok || this.stepDone >= this.stepCount) this.finishStep()
  }

  /** Acks the step with the frames it ran: all of them, or fewer when something ended it early. */
  private finishStep(): void {
    this.stepActive = false
    this.tap?.flush()
    this.post({ kind: 'done', id: this.stepId, frame: this.frame, timeNs: this.timeNs, state: this.state, stepped: this.stepDone })
  }

  latenessStats(): LatenessStats | null {
    return this.lateness?.stats() ?? null
  }

  /** Copies, by module name, of the wait counters of the modules that run elsewhere (since they were last built). */
  waitStats(): Record<string, WaitCounters> {
    const waits: Record<string, WaitCounters> = {}
    for (const s of this.steppers) {
      const counters = s.module.waitCounters?.()
      if (counters) waits[s.name] = { ...counters }
    }
    return waits
  }

  /**
   * One frame: every wire, every module in schedule order (sub-stepped at its own rate), every wire
   * again, then time. `from` skips the modules before it: the rest of a frame in which a module failed
   * and will restart.
   */
  stepFrame(from = 0): void {
    const frame = this.frame
    const timeNs = this.timeNs
    const steppers = this.steppers
    // Step times are sampled one frame in TIMING_PERIOD: enough for a status display, and cheap.
    const timed = frame % TIMING_PERIOD === 0
    // Wires also run before the modules, as in Hermes (phase 3 routes before stepping): a value set at
    // this frame boundary reaches the modules wired to it in this frame, not the next. Without a set
    // or reset since the last pass this changes nothing: module outputs were routed at the last frame's end.
    if (from === 0) this.router.route(this.backplane.values)
    for (let i = from; i < steppers.length; i++) {
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
    if (this.tap !== null) this.tap.capture(this.frame, this.timeNs, this.backplane.values)
  }

  /** Steps one frame; a module that throws pauses the run and is reported, instead of killing the thread. */
  private stepFrameSafely(): boolean {
    if (this.timeNs + this.dtNs > MAX_EXACT_TIME_NS) {
      this.fault('scheduler', `simulated time would exceed ${MAX_EXACT_TIME_NS} ns, beyond exact integer time`, this.policy === 'stop' ? 'stop' : 'pause')
      return false
    }
    let from = 0
    let restarting = false
    for (;;) {
      try {
        this.stepFrame(from)
        break
      } catch (error) {
        const index = this.current
        this.current = -1
        if (index < 0) {
          this.fault('wiring', messageOf(error), this.policy === 'stop' ? 'stop' : 'pause')
          return false
        }
        if (this.moduleFault(index, messageOf(error), true) !== 'restart') return false
        // The module restarts after this frame; the rest of the frame runs without it, as Hermes's plan has it.
        restarting = true
        from = index + 1
      }
    }
    return !restarting
  }

  /**
   * A module failed: it is marked for rebuilding and reported, and the run pauses, ends or waits for its
   * restart, as on_module_error says. `mayRestart` is false for failures outside a step (stage, reset).
   */
  private moduleFault(index: number, message: string, mayRestart: boolean): FaultAction {
    const s = this.steppers[index]!
    s.faulted = true
    let action: FaultAction = this.policy
    if (action === 'restart' && (!mayRestart || s.restarts >= MAX_RESTARTS)) action = 'pause'
    if (action === 'restart') s.restarts++
    if (action === 'pause' && this.policy === 'restart' && mayRestart) {
      message = `${message} (restarted ${MAX_RESTARTS} times since the last reset: the run pauses; reset restarts it)`
    }
    this.fault(s.name, message, action)
    return action
  }

  private fault(module: string, message: string, action: FaultAction): void {
    this.post({ kind: 'fault', module, message, frame: this.frame, action })
    if (action === 'stop') return this.setState('ended', 'fault')
    // The first fault since the last recovery says where a restart returns to (several may come in one frame).
    if (!this.inFault) this.stateBeforeFault = this.state
    this.inFault = true
    this.setState('paused', 'fault')
  }

  private end(): void {
    this.setState('ended', 'end_time')
  }

  private setState(state: RunState, reason: StateReason): void {
    if (state === 'running' && this.state !== 'running') this.rebaseWallClock()
    // What was recorded before a pause or the end is on disk while the loop waits.
    if (state !== 'running') this.tap?.flush()
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
        // A pause ends a step in progress (acked first, with the frames it ran), and the run stays paused.
        if (this.stepActive) this.finishStep()
        if (this.state === 'running') this.setState('paused', 'command')
        return this.done(c.id)
      case Command.Resume:
        if (this.config.execution.mode === 'single_frame') return this.reject(c.id, 'resume is not available in single_frame mode; use step')
        if (this.state === 'ended') return this.reject(c.id, 'the run has reached end_time; reset to run it again')
        if (this.stepActive) this.finishStep()
        if (this.state === 'paused') this.setState('running', 'command')
        return this.done(c.id)
      case Command.Step: {
        if (this.state === 'running') return this.reject(c.id, 'step is only allowed while paused')
        if (this.state === 'ended') return this.reject(c.id, 'the run has reached end_time; reset to run it again')
        if (this.stepActive) return this.reject(c.id, 'a step is in progress: wait for its ack, or pause to end it')
        this.stepId = c.id
        this.stepCount = c.a
        this.stepDone = 0
        this.stepActive = true
        // The loop runs it, a frame per turn; the ack comes when it finishes or is interrupted.
        return
      }
      case Command.Reset: {
        if (this.stepActive) this.finishStep()
        const failed = this.reset()
        // Reset keeps running or paused as it was; an ended run comes back paused, ready to go again.
        this.setState(this.state === 'ended' ? 'paused' : this.state, 'command')
        return failed ? this.reject(c.id, failed) : this.done(c.id)
      }
      case Command.Restart: {
        if (this.stepActive) this.finishStep()
        const failed = this.restart()
        return failed ? this.reject(c.id, failed) : this.done(c.id)
      }
      case Command.Set:
        this.backplane.values[c.a] = c.b
        return this.done(c.id)
      case Command.Snapshot:
        this.copySnapshot()
        return this.done(c.id)
      case Command.Stop:
        if (this.stepActive) this.finishStep()
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
