// Entry of the scheduler thread: builds the frame loop from the resolved config and runs it.
import { parentPort, workerData } from 'node:worker_threads'
import type { ResolvedConfig } from '../config/types'
import { CommandRing, type SchedulerMessage } from './control'
import { FrameLoop } from './frameLoop'

export interface SchedulerWorkerData {
  config: ResolvedConfig
  backplane: SharedArrayBuffer
  commands: SharedArrayBuffer
  snapshot: SharedArrayBuffer
  moduleTimes: SharedArrayBuffer
}

const port = parentPort
if (!port) throw new Error('schedulerWorker must run as a worker thread')
const post = (message: SchedulerMessage): void => port.postMessage(message)
const data = workerData as SchedulerWorkerData

let loop: FrameLoop | null = null
try {
  loop = new FrameLoop(data.config, data.backplane, new CommandRing(data.commands), data.snapshot, data.moduleTimes, post)
  loop.stage()
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
}
if (loop) {
  post({ kind: 'ready' })
  loop.run()
  post({ kind: 'stopped', stats: { frames: loop.frameCount, lateness: loop.latenessStats() } })
}
port.close()
