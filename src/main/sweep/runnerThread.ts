// Entry of the runner thread: runs one metered run per message, one after the other, and answers each.
// A thread of its own, because the loop holds its thread until the run ends, while the thread that
// started it watches module processes (their step timeouts), restarts them, and talks to the sweep.
import { parentPort } from 'node:worker_threads'
import type { ResolvedConfig } from '../engine/config/types'
import type { ProcessHandoff } from '../engine/modules/process/moduleProcess'
import type { TapSetup } from '../engine/recording/frameTap'
import { CommandRing, type HandoffMessage, takeHandoffs } from '../engine/scheduler/control'
import type { CompiledMetrics } from './metrics'
import { runMetered, type RunOutcome } from './meteredLoop'

export interface RunRequest {
  kind: 'run'
  id: number
  config: ResolvedConfig
  metrics: CompiledMetrics
  processes: Record<string, ProcessHandoff>
  /** The run's command ring: the starting thread pushes Restart (after new processes) and Stop into it. */
  commands: SharedArrayBuffer
  /** Recording: the recorder's tap (its port transferred with the message), or null. */
  tap: TapSetup | null
}

export type RunReply =
  | { kind: 'outcome'; id: number; outcome: RunOutcome }
  | { kind: 'error'; id: number; error: string }
  /** Process modules that faulted and restart: the starting thread starts new processes, posts them, then pushes Restart. */
  | { kind: 'restart'; id: number; modules: string[] }

const port = parentPort
if (!port) throw new Error('runnerThread must run as a worker thread')

const takeWaiting = (): Record<string, ProcessHandoff> => takeHandoffs(port)

port.on('message', (request: RunRequest | HandoffMessage) => {
  // Handoffs that arrive between runs (a restart the run ended before it could use) belong to no run.
  if (request.kind !== 'run') return
  try {
    const outcome = runMetered(request.config, request.metrics, {
      commands: new CommandRing(request.commands),
      processes: request.processes,
      takeHandoffs: takeWaiting,
      restartProcesses: (modules) => port.postMessage({ kind: 'restart', id: request.id, modules } satisfies RunReply),
      tap: request.tap
    })
    port.postMessage({ kind: 'outcome', id: request.id, outcome } satisfies RunReply)
  } catch (error) {
    port.postMessage({ kind: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies RunReply)
  }
})
