// Entry of the scheduler thread: builds the frame loop from the resolved config and runs it.
import { parentPort, workerData } from 'node:worker_threads'
import type { ModuleErrorPolicy, ResolvedConfig } from '../config/types'
import type { ProcessHandoff } from '../modules/process/moduleProcess'
import { CommandRing, takeHandoffs, type SchedulerMessage } from './control'
import { FrameLoop } from './frameLoop'
import { FrameTap, type TapSetup } from '../recording/frameTap'

export interface SchedulerWorkerData {
  config: ResolvedConfig
  backplane: SharedArrayBuffer
  commands: SharedArrayBuffer
  snapshot: SharedArrayBuffer
  moduleTimes: SharedArrayBuffer
  /** Process modules, started by the engine thread: their pipes and shared status. */
  processes: Record<string, ProcessHandoff>
  /** execution.on_module_error, resolved for this run (serving or not). */
  policy: ModuleErrorPolicy
  /** Recording: where each batch of frames goes. */
  tap: TapSetup | null
}

const port = parentPort
if (!port) throw new Error('schedulerWorker must run as a worker thread')
const post = (message: SchedulerMessage): void => port.postMessage(message)
const data = workerData as SchedulerWorkerData

const takeWaiting = (): Record<string, ProcessHandoff> => takeHandoffs(port)

let loop: FrameLoop | null = null
try {
  loop = new FrameLoop(data.config, data.backplane, new CommandRing(data.commands), data.snapshot, data.moduleTimes, post, data.processes, data.policy, takeWaiting, data.tap ? new FrameTap(data.tap) : null)
  loop.stage()
} catch (error) {
  loop?.terminateModules()
  loop = null
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
}
if (loop) {
  post({ kind: 'ready' })
  loop.run()
  post({ kind: 'stopped', stats: { frames: loop.frameCount, lateness: loop.latenessStats(), waits: loop.waitStats() } })
}
port.close()
