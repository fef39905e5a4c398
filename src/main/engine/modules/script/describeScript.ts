// Asks a script module file for its declared signals, in a worker of its own that is ended right after.
import { basename } from 'node:path'
import { parseDeclaration, type ModuleDeclaration } from '../declaration'
import { startupTimeoutMs, type ExternalModule } from '../environment'
import { startWorker } from '../../threads'
import type { DescribeReply, ScriptWorkerData } from './scriptWorker'

export async function describeScript(mod: ExternalModule): Promise<ModuleDeclaration> {
  const file = mod.script ?? ''
  const data: ScriptWorkerData = { mode: 'describe', file }
  const worker = startWorker(__dirname, 'scriptWorker', { workerData: data, name: `hermes-describe-${mod.name}`, stdout: true, stderr: true })
  const limit = startupTimeoutMs(mod)
  let timer: NodeJS.Timeout | undefined
  try {
    const reply = await new Promise<DescribeReply>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', (error) => reject(new Error(`${basename(file)} failed to load: ${error.message}`)))
      worker.once('exit', (code) => reject(new Error(`${basename(file)} ended its worker (code ${code}) while loading`)))
      timer = setTimeout(() => reject(new Error(`${basename(file)} did not finish loading within ${limit / 1000} s`)), limit)
    })
    if (!reply.ok) throw new Error(reply.message)
    try {
      return parseDeclaration(reply.signals)
    } catch (error) {
      throw new Error(`${basename(file)}: ${error instanceof Error ? error.message : String(error)}`)
    }
  } finally {
    clearTimeout(timer)
    // Top-level code may have started timers that would keep the worker alive.
    await worker.terminate()
  }
}
