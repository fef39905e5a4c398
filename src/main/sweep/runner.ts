// Runs metered runs on a runner thread of this process, started once and kept for every run after it;
// the module processes of each run are started and watched from here.
import type { Worker } from 'node:worker_threads'
import type { ResolvedConfig } from '../engine/config/types'
import { ProcessHost } from '../engine/modules/process/processHost'
import { startWorker } from '../engine/threads'
import type { CompiledMetrics } from './metrics'
import type { RunOutcome } from './meteredLoop'
import type { RunReply, RunRequest } from './runnerThread'

export class Runner {
  private worker: Worker | null = null
  private nextId = 1
  private readonly waiting = new Map<number, (reply: RunReply) => void>()

  /** One run at a time (the thread runs them in order anyway). */
  async run(config: ResolvedConfig, metrics: CompiledMetrics): Promise<RunOutcome> {
    let processes: ProcessHost
    try {
      processes = await ProcessHost.start(config)
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error.message : String(error), values: metrics.metrics.map(() => null), frames: 0, simulatedSeconds: 0, faults: 0 }
    }
    try {
      const id = this.nextId++
      const worker = this.thread()
      // Held while a run is under way; a process with nothing else to do may exit while the thread idles.
      worker.ref()
      const reply = await new Promise<RunReply>((resolve) => {
        this.waiting.set(id, resolve)
        worker.postMessage({ id, config, metrics, processes: processes.handoffs() } satisfies RunRequest)
      })
      worker.unref()
      if ('error' in reply) throw new Error(reply.error)
      return reply.outcome
    } finally {
      await processes.stop()
    }
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    await worker?.terminate()
  }

  private thread(): Worker {
    if (this.worker) return this.worker
    const worker = startWorker(__dirname, 'runnerThread', { name: 'hermes-sweep-runner' })
    worker.on('message', (reply: RunReply) => {
      const resolve = this.waiting.get(reply.id)
      this.waiting.delete(reply.id)
      resolve?.(reply)
    })
    const fail = (message: string): void => {
      this.worker = null
      for (const [id, resolve] of this.waiting) resolve({ id, error: message })
      this.waiting.clear()
    }
    worker.on('error', (error) => fail(`the runner thread failed: ${error.message}`))
    worker.on('exit', (code) => fail(`the runner thread exited with code ${code}`))
    worker.unref()
    this.worker = worker
    return worker
  }
}
