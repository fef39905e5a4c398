// Starts an engine worker thread from its built .js entry, or from TypeScript source in development.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * `dir` is the caller's __dirname. In a build every main-process entry sits flat in out/main, so the
 * worker's .js is next to its caller; from source (tests, tsx) the .ts is, and tsx is registered inside
 * the new thread, because loader hooks of the parent thread do not reach workers on Node 20.
 */
export function startWorker(dir: string, baseName: string, options: WorkerOptions): Worker {
  const built = join(dir, `${baseName}.js`)
  if (existsSync(built)) return new Worker(built, options)
  const source = join(dir, `${baseName}.ts`)
  const tsx = createRequire(join(dir, 'noop.js')).resolve('tsx/cjs/api')
  const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)})`
  return new Worker(bootstrap, { ...options, eval: true })
}
