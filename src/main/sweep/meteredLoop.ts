// One run to its end on the calling thread, with its metrics: the engine's frame loop, watched after every
// frame. It is the run of `hermes sweep` and `hermes run --metric`, whatever the executor (pool, Slurm, Kubernetes).
import type { ModuleErrorPolicy, ResolvedConfig } from '../engine/config/types'
import { Backplane, HEADER } from '../engine/backplane/backplane'
import type { ProcessHandoff } from '../engine/modules/process/moduleProcess'
import { Command, CommandRing, type SchedulerMessage } from '../engine/scheduler/control'
import { FrameLoop } from '../engine/scheduler/frameLoop'
import { FrameTap, type TapSetup } from '../engine/recording/frameTap'
import { MetricAccumulator, type CompiledMetrics } from './metrics'

/** How one run ended. `values`: one per metric, null where there is none; NaN stays NaN. */
export interface RunOutcome {
  status: 'ok' | 'failed'
  /** Why it failed (the first module fault, a failed stage); '' when it did not. */
  error: string
  values: (number | null)[]
  frames: number
  simulatedSeconds: number
  faults: number
}

/**
 * What a run needs from the thread that started it, besides its configuration: the command ring (that
 * thread pushes into it too), the module processes, and a restart of the process modules that faulted
 * (new processes, which only that thread can start; it posts their handoffs, then pushes Restart).
 */
export interface MeteredHost {
  commands?: CommandRing
  processes?: Readonly<Record<string, ProcessHandoff>>
  /** New processes posted by the host before its Restart, read synchronously (the loop never yields). */
  takeHandoffs?: () => Record<string, ProcessHandoff>
  /** Asks the host to restart these process modules, then to push Restart; without it their run fails. */
  restartProcesses?: (modules: string[]) => void
  /** Recording: every frame also goes to this recorder's tap. */
  tap?: TapSetup | null
}

/** The frame loop with a look at the chosen signals after each frame. */
class MeteredLoop extends FrameLoop {
  /** Modules that faulted in this frame and restart after it (on_module_error: restart). */
  readonly restarting: string[] = []

  constructor(
    config: ResolvedConfig,
    private readonly accumulator: MetricAccumulator,
    commands: CommandRing,
    post: (message: SchedulerMessage) => void,
    processes: Readonly<Record<string, ProcessHandoff>>,
    policy: ModuleErrorPolicy,
    takeHandoffs: () => Record<string, ProcessHandoff>,
    tap: FrameTap | null,
    /** Called once the frame in which modules faulted has run to its end: who restarts them. */
    private readonly onRestart: (modules: string[]) => void
  ) {
    const backplane = Backplane.create(config.modules)
    const snapshot = new SharedArrayBuffer((HEADER.slots + backplane.names.length) * 8)
    const moduleTimes = new SharedArrayBuffer(Math.max(1, config.execution.schedule.length) * 2 * 8)
    super(config, backplane.buffer, commands, snapshot, moduleTimes, post, processes, policy, takeHandoffs, tap)
  }

  /** The frame, then its values; a frame that throws (a module fault) is not observed. */
  override stepFrame(from = 0): void {
    super.stepFrame(from)
    this.accumulator.observe(this.backplane.values, this.backplane.header[HEADER.timeNs]! / 1e9)
    // The rest of a frame in which modules failed has run (stepFrameSafely ends every frame with a
    // stepFrame that returns): now the restart, of every module that failed in it at once.
    if (this.restarting.length > 0) this.onRestart(this.restarting.splice(0))
  }

  begin(): void {
    this.accumulator.begin(this.backplane.values)
  }
}

/**
 * Runs `config` (it must have an end_time) to its end in `afap` or as its mode says, on this thread.
 * A module fault ends the run as failed unless execution.on_module_error is restart: then the module is
 * built again after its frame, as in a live run, a process module with a new process that the host
 * starts (host.restartProcesses). A pause has nobody to resume it: it ends the run as failed too.
 */
export function runMetered(config: ResolvedConfig, compiled: CompiledMetrics, host: MeteredHost = {}): RunOutcome {
  if (config.execution.endTimeNs === null) throw new Error('a metered run needs an end_time')
  const processes = host.processes ?? {}
  const accumulator = new MetricAccumulator(compiled)
  const commands = host.commands ?? new CommandRing()
  let faults = 0
  let error = ''
  let failed = false
  let ended = false
  /** A fault whose module restarts: the pause that follows it waits for the restart, it does not end the run. */
  let restartPending = false
  const stop = (): void => void commands.push(Command.Stop, 0)
  const post = (message: SchedulerMessage): void => {
    if (message.kind === 'fault') {
      faults++
      if (!error) error = `module '${message.module}' failed at frame ${message.frame}: ${message.message}`
      // Restarted once the frame has run to its end (MeteredLoop.stepFrame); a fault comes only while it runs.
      restartPending = message.action === 'restart'
      if (restartPending) loop.restarting.push(message.module)
    } else if (message.kind === 'state') {
      if (message.state === 'ended' && message.reason === 'end_time') ended = true
      else if (message.state === 'paused' && message.reason === 'fault' && restartPending) return
      else if (message.state === 'ended' || (message.state === 'paused' && message.reason === 'fault')) {
        failed = true
        stop()
      }
    } else if (message.kind === 'rejected') {
      failed = true
      error = error ? `${error}; ${message.message}` : message.message
      stop()
    }
  }
  const policy = config.execution.onModuleError === 'restart' ? 'restart' : 'stop'
  const restart = (modules: string[]): void => {
    const own = modules.filter((m) => m in processes)
    if (own.length === 0) return void commands.push(Command.Restart, 0)
    if (host.restartProcesses) return host.restartProcesses(own)
    failed = true
    error = `${error}; process module '${own[0]}' cannot be restarted here`
    stop()
  }
  const tap = host.tap ? new FrameTap(host.tap) : null
  let loop: MeteredLoop
  try {
    loop = new MeteredLoop(config, accumulator, commands, post, processes, policy, host.takeHandoffs ?? (() => ({})), tap, restart)
  } catch (e) {
    // The recorder hears that no frame comes, and closes the file at once.
    tap?.close()
    return { status: 'failed', error: e instanceof Error ? e.message : String(e), values: accumulator.results(faults), frames: 0, simulatedSeconds: 0, faults }
  }
  try {
    loop.stage()
  } catch (e) {
    loop.terminateModules()
    tap?.close()
    return { status: 'failed', error: e instanceof Error ? e.message : String(e), values: accumulator.results(faults), frames: 0, simulatedSeconds: 0, faults }
  }
  loop.begin()
  loop.run({ exitOnEnd: true })
  const ok = ended && !failed
  return {
    status: ok ? 'ok' : 'failed',
    error: ok ? '' : error || 'the run stopped before its end_time',
    values: accumulator.results(faults),
    frames: loop.frameCount,
    simulatedSeconds: (loop.frameCount * config.execution.dtNs) / 1e9,
    faults
  }
}
