// Loads a configuration on a worker thread, so that parsing a large file never blocks the caller's event
// loop (the desktop app's main process, which must keep answering its windows while a file loads).
import { startWorker } from '../threads'
import { ConfigError, type ConfigIssue } from './issues'
import type { LoadedConfig } from './load'
import type { LoadOptions } from './withModules'

/** What crosses to the thread: plain data only (a custom `describe` function cannot). */
export interface OffThreadData {
  file: string
  options: Omit<LoadOptions, 'describe'>
}

export type OffThreadResult = { ok: true; loaded: LoadedConfig } | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] } | { ok: false; message: string }

/**
 * loadConfigFileWithModules on its own thread: the same result, the same ConfigError on a bad file.
 * The thread reads, builds, asks the modules and validates; this thread only waits.
 */
export function loadConfigFileOffThread(file: string, options: Omit<LoadOptions, 'describe'> = {}): Promise<LoadedConfig> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(__dirname, 'configWorker', { workerData: { file, options } satisfies OffThreadData, name: 'hermes-config' })
    let settled = false
    worker.once('message', (result: OffThreadResult) => {
      settled = true
      if (result.ok) resolve(result.loaded)
      else if ('issues' in result) reject(new ConfigError(result.issues, result.warnings))
      else reject(new Error(result.message))
      void worker.terminate()
    })
    worker.once('error', (error) => {
      settled = true
      reject(error)
    })
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the configuration thread exited with code ${code} before it answered`))
    })
  })
}
