// Entry of a configuration-loading thread: loadConfigFileWithModules off the caller's thread (offThread.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { ConfigError } from './issues'
import type { OffThreadData, OffThreadResult } from './offThread'
import { loadConfigFileWithModules } from './withModules'
// Imported here, not lazily as the CLI does: this thread exists to load configurations, and a worker
// run from source (tests) has no loader for import().
import { describeModule } from '../modules/describe'

const port = parentPort
if (!port) throw new Error('configWorker must run as a worker thread')
const { file, options } = workerData as OffThreadData

loadConfigFileWithModules(file, { ...options, describe: describeModule }).then(
  (loaded) => port.postMessage({ ok: true, loaded } satisfies OffThreadResult),
  (error: unknown) => {
    const result: OffThreadResult =
      error instanceof ConfigError
        ? { ok: false, issues: error.issues, warnings: error.warnings }
        : { ok: false, message: error instanceof Error ? error.message : String(error) }
    port.postMessage(result)
  }
)
