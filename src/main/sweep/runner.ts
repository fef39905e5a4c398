// Runs metered runs on a runner thread of this process, started once and kept for every run after it;
// the module processes of each run are started, watched and restarted from here, and its recorder too.
import type { Worker } from 'node:worker_threads'
import type { ResolvedConfig } from '../engine/config/types'
import { ProcessHost } from '../engine/modules/process/processHost'
import { Recorder, type RecordingSummary } from '../engine/recording/recorder'
import { Command, CommandRing, type HandoffMessage } from '../engine/scheduler/control'
import { startWorker } from '../engine/threads'
import type { CompiledMetrics } from './metrics'
import type { RunOutcome } from './meteredLoop'
import type { RunReply, RunRequest } from './runnerThread'

export interface RunnerOutcome extends RunOutcome {
  /** With a recording asked for: how it ended (its failure, if the recorder failed), or null. */
  recording: RecordingSummary | null
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

interface Pending {
  resolve(reply: RunReply): void
  /** A restart of process modules that the thread asked for. */
  restart(modules: string[]): void
}

export class Runner {
  private worker: Worker | null = null
  private nextId = 1
  private readonly waiting = new Map<number, Pending>()

  /** One run at a time (the thread runs them in order anyway). With `recordTo`, the run is recorded to that file (it must not exist). */
  async run(config: ResolvedConfig, metrics: CompiledMetrics, recordTo: string | null = null): Promise<RunnerOutcome> {
    const failedBefore = (error: string): RunnerOutcome => ({ status: 'failed', error, values: metrics.metrics.map(() => null), frames: 0, simulatedSeconds: 0, faults: 0, recording: null })
    let processes: ProcessHost
    try {
      processes = await ProcessHost.start(config)
    } catch (error) {
      return failedBefore(messageOf(error))
    }
    let recorder: Recorder | null = null
    try {
      if (recordTo !== null) recorder = await Recorder.start(config, { file: recordTo })
    } catch (error) {
      await processes.stop()
      return failedBefore(messageOf(error))
    }
    const commands = new CommandRing()
    let restartError: string | null = null
    // Restarts one after the other, in the order the thread asked for them.
    let restarts: Promise<void> = Promise.resolve()
    try {
      const id = this.nextId++
      const worker = this.thread()
      // Held while a run is under way; a process with nothing else to do may exit while the thread idles.
      worker.ref()
      const restart = (modules: string[]): void => {
        restarts = restarts.then(async () => {
          const message: HandoffMessage = { kind: 'handoffs', processes: {} }
          try {
            for (const name of modules) message.processes[name] = (await processes.restart(name)).handoff
          } catch (error) {
            // The run cannot go on without its module: it stops, failed, with why.
            restartError ??= `module '${modules.join("', '")}' could not be restarted: ${messageOf(error)}`
            commands.push(Command.Stop, 0)
            return
          }
          // Read by the thread when the command arrives (messages keep their order). The old processes'
          // pipes close with the run (ProcessHost.stop ends retired processes too).
          worker.postMessage(message)
          commands.push(Command.Restart, 0)
        })
      }
      const reply = await new Promise<RunReply>((resolve) => {
        this.waiting.set(id, { resolve, restart })
        const request: RunRequest = { kind: 'run', id, config, metrics, processes: processes.handoffs(), commands: commands.buffer, tap: recorder?.tap ?? null }
        worker.postMessage(request, recorder ? [recorder.tap.port] : [])
      })
      worker.unref()
      await restarts
      if (reply.kind === 'error') throw new Error(reply.error)
      if (reply.kind !== 'outcome') throw new Error('the runner thread answered out of turn')
      const outcome = reply.outcome
      const error = restartError === null ? outcome.error : `${outcome.error ? `${outcome.error}; ` : ''}${restartError}`
      return { ...outcome, status: restartError === null ? outcome.status : 'failed', error, recording: recorder ? await recorder.close() : null }
    } finally {
      // Closed already on the way out of a finished run; here for a run whose thread died.
      if (recorder) await recorder.close()
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
      const pending = this.waiting.get(reply.id)
      if (reply.kind === 'restart') return pending?.restart(reply.modules)
      this.waiting.delete(reply.id)
      pending?.resolve(reply)
    })
    const fail = (message: string): void => {
      this.worker = null
      for (const [id, pending] of this.waiting) pending.resolve({ kind: 'error', id, error: message })
      this.waiting.clear()
    }
    worker.on('error', (error) => fail(`the runner thread failed: ${error.message}`))
    worker.on('exit', (code) => fail(`the runner thread exited with code ${code}`))
    worker.unref()
    this.worker = worker
    return worker
  }
}
