// Which runner a configured module needs: built into the engine, a worker thread (JS/TS), or a child process.
import { extname } from 'node:path'
import type { ModuleType } from '../config/types'

export type Runner = 'inproc' | 'worker' | 'process'

/** Scripts that run in a worker thread; TypeScript is compiled on load. */
export const WORKER_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']
/** Scripts that run as a child process under python3, like Hermes's own script modules. */
export const PYTHON_EXTENSIONS: readonly string[] = ['.py']
export const SCRIPT_EXTENSIONS: readonly string[] = [...WORKER_EXTENSIONS, ...PYTHON_EXTENSIONS]

/** Null for a script whose extension no runner takes. */
export function runnerFor(type: ModuleType, script: string | null): Runner | null {
  if (type === 'inproc') return 'inproc'
  if (type === 'process') return 'process'
  const ext = extname(script ?? '').toLowerCase()
  if (WORKER_EXTENSIONS.includes(ext)) return 'worker'
  if (PYTHON_EXTENSIONS.includes(ext)) return 'process'
  return null
}
