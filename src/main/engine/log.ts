// The engine's logger: consola, tagged per component. Level from HERMES_LOG (silent, error, warn, info, debug).
// Every message is bounded before consola sees it: its width computation is quadratic on very long lines,
// and a module's 1 MB stderr line must not stall the thread that serves clients.
import { createConsola, type ConsolaInstance } from 'consola'
import { truncate } from '../../shared/text/bounded'

const LEVELS: Record<string, number> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4 }

/** Longest line, and longest message, that reach the log; the rest is cut with a marker. */
export const LOG_LINE_CHARS = 1000
export const LOG_MESSAGE_CHARS = 8000

const root = createConsola({ level: LEVELS[process.env.HERMES_LOG ?? ''] ?? LEVELS.info, stdout: process.stderr, stderr: process.stderr })

export type Logger = Pick<ConsolaInstance, 'info' | 'warn' | 'error' | 'debug'>

/** A message cut to LOG_MESSAGE_CHARS, each of its lines to LOG_LINE_CHARS. */
export function boundLogText(text: string): string {
  const cut = truncate(text, LOG_MESSAGE_CHARS)
  if (cut.length <= LOG_LINE_CHARS) return cut
  return cut
    .split('\n')
    .map((line) => truncate(line, LOG_LINE_CHARS))
    .join('\n')
}

const bound = (args: unknown[]): unknown[] => args.map((a) => (typeof a === 'string' ? boundLogText(a) : a instanceof Error ? boundLogText(a.stack ?? a.message) : a))

export function logger(tag: string): Logger {
  const tagged = root.withTag(tag)
  return {
    info: (...args: unknown[]) => tagged.info(...(bound(args) as [unknown])),
    warn: (...args: unknown[]) => tagged.warn(...(bound(args) as [unknown])),
    error: (...args: unknown[]) => tagged.error(...(bound(args) as [unknown])),
    debug: (...args: unknown[]) => tagged.debug(...(bound(args) as [unknown]))
  } as Logger
}

/** Whether messages of `level` are shown: for threads that write to stderr themselves (script module workers). */
export function logLevelEnabled(level: 'error' | 'warn' | 'info' | 'debug'): boolean {
  return root.level >= LEVELS[level]!
}
