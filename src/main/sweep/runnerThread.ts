// Entry of the runner thread: runs one metered run per message, one after the other, and answers each.
// A thread of its own, because the loop holds its thread until the run ends, while the thread that
// started it watches module processes (their step timeouts) and talks to the sweep.
import { parentPort } from 'node:worker_threads'
import type { ResolvedConfig } from '../engine/config/types'
import type { ProcessHandoff } from '../engine/modules/process/moduleProcess'
import type { CompiledMetrics } from './metrics'
import { runMetered, type RunOutcome } from './meteredLoop'

export interface RunRequest {
  id: number
  config: ResolvedConfig
  metrics: CompiledMetrics
  processes: Record<string, ProcessHandoff>
}

export type RunReply = { id: number; outcome: RunOutcome } | { id: number; error: string }

const port = parentPort
if (!port) throw new Error('runnerThread must run as a worker thread')
port.on('message', (request: RunRequest) => {
  try {
    port.postMessage({ id: request.id, outcome: runMetered(request.config, request.metrics, request.processes) } satisfies RunReply)
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies RunReply)
  }
})
