// One run to its end on the calling thread, with its metrics: the engine's frame loop, watched after every
// frame. It is the run of `hermes sweep` and `hermes run --metric`, whatever the executor (pool, Slurm, Kubernetes).
import type { ModuleErrorPolicy, ResolvedConfig } from '../engine/config/types'
import { Backplane, HEADER } from '../engine/backplane/backplane'
import type { ProcessHandoff } from '../engine/modules/process/moduleProcess'
import { Command, CommandRing, type SchedulerMessage } from '../engine/scheduler/control'
import { FrameLoop } from '../engine/scheduler/frameLoop'
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

/** The frame loop with a look at the chosen signals after each frame. */
class MeteredLoop extends FrameLoop {
  constructor(
    config: ResolvedConfig,
    private readonly accumulator: MetricAccumulator,
    commands: CommandRing,
    post: (message: SchedulerMessage) => void,
    processes: Readonly<Record<string, ProcessHandoff>>,
    policy: ModuleErrorPolicy
  ) {
    const backplane = Backplane.create(config.modules)
    const snapshot = new SharedArrayBuffer((HEADER.slots + backplane.names.length) * 8)
    const moduleTimes = new SharedArrayBuffer(Math.max(1, config.execution.schedule.length) * 2 * 8)
    super(config, backplane.buffer, commands, snapshot, moduleTimes, post, processes, policy)
  }

  /** The frame, then its values; a frame that throws (a module fault) is not observed. */
  override stepFrame(from = 0): void {
    super.stepFrame(from)
    this.accumulator.observe(this.backplane.values, this.backplane.header[HEADER.timeNs]! / 1e9)
  }

  begin(): void {
    this.accumulator.begin(this.backplane.values)
  }
}

/**
 * Runs `config` (it must have an end_time) to its end in `afap` or as its mode says, on this thread.
 * A module fault ends the run as failed unless execution.on_module_error is restart, which is honoured
 * for inproc and script modules (a process module would need new processes from another thread: the
 * run fails instead). A pause has nobody to resume it: it ends the run as failed too.
 */
export function runMetered(config: ResolvedConfig, compiled: CompiledMetrics, processes: Readonly<Record<string, ProcessHandoff>> = {}): RunOutcome {
  if (config.execution.endTimeNs === null) throw new Error('a metered run needs an end_time')
  const accumulator = new MetricAccumulator(compiled)
  const commands = new CommandRing()
  let faults = 0
  let error = ''
  let failed = false
  let ended = false
  const stop = (): void => void commands.push(Command.Stop, 0)
  const post = (message: SchedulerMessage): void => {
    if (message.kind === 'fault') {
      faults++
      if (!error) error = `module '${message.module}' failed at frame ${message.frame}: ${message.message}`
      if (message.action === 'restart') commands.push(Command.Restart, 0)
    } else if (message.kind === 'state') {
      if (message.state === 'ended' && message.reason === 'end_time') ended = true
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
  let loop: MeteredLoop
  try {
    loop = new MeteredLoop(config, accumulator, commands, post, processes, policy)
  } catch (e) {
    return { status: 'failed', error: e instanceof Error ? e.message : String(e), values: accumulator.results(faults), frames: 0, simulatedSeconds: 0, faults }
  }
  try {
    loop.stage()
  } catch (e) {
    loop.terminateModules()
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
