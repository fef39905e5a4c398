// The engine's logger: consola, tagged per component. Level from HERMES_LOG (silent, error, warn, info, debug).
import { createConsola, type ConsolaInstance } from 'consola'

const LEVELS: Record<string, number> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4 }

const root = createConsola({ level: LEVELS[process.env.HERMES_LOG ?? ''] ?? LEVELS.info, stdout: process.stderr, stderr: process.stderr })

export type Logger = Pick<ConsolaInstance, 'info' | 'warn' | 'error' | 'debug'>

export function logger(tag: string): Logger {
  return root.withTag(tag)
}

/** Whether messages of `level` are shown: for threads that write to stderr themselves (script module workers). */
export function logLevelEnabled(level: 'error' | 'warn' | 'info' | 'debug'): boolean {
  return root.level >= LEVELS[level]!
}
