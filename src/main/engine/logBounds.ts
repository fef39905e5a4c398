// What reaches the engine's log, without the logger itself: the level from HERMES_LOG and the bounds on a
// message. Threads that only cut lines or check the level (the scheduler, script workers) import this, not
// log.ts, so they do not load consola (some 3 MB per thread).
import { truncate } from '../../shared/text/bounded'

export const LOG_LEVELS: Readonly<Record<string, number>> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4 }

/** The level HERMES_LOG asks for (silent, error, warn, info, debug); info when unset or unknown. */
export const LOG_LEVEL = LOG_LEVELS[process.env.HERMES_LOG ?? ''] ?? LOG_LEVELS.info!

/** Longest line, and longest message, that reach the log; the rest is cut with a marker. */
export const LOG_LINE_CHARS = 1000
export const LOG_MESSAGE_CHARS = 8000

/** A message cut to LOG_MESSAGE_CHARS, each of its lines to LOG_LINE_CHARS. */
export function boundLogText(text: string): string {
  const cut = truncate(text, LOG_MESSAGE_CHARS)
  if (cut.length <= LOG_LINE_CHARS) return cut
  return cut
    .split('\n')
    .map((line) => truncate(line, LOG_LINE_CHARS))
    .join('\n')
}

/** Whether messages of `level` are shown: for threads that write to stderr themselves (script module workers). */
export function logLevelEnabled(level: 'error' | 'warn' | 'info' | 'debug'): boolean {
  return LOG_LEVEL >= LOG_LEVELS[level]!
}
