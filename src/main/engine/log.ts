// The engine's logger: consola, tagged per component. Level from HERMES_LOG (silent, error, warn, info, debug).
// Every message is bounded before consola sees it: its width computation is quadratic on very long lines,
// and a module's 1 MB stderr line must not stall the thread that serves clients.
import { createConsola, type ConsolaInstance } from 'consola'
import { boundLogText, LOG_LEVEL } from './logBounds'

export { boundLogText, LOG_LINE_CHARS, LOG_MESSAGE_CHARS, logLevelEnabled } from './logBounds'

const root = createConsola({ level: LOG_LEVEL, stdout: process.stderr, stderr: process.stderr })

/** The time of day as HH:MM:SS, by hand: no Intl. */
export function clockTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
}

// consola's reporter formats every message's time with toLocaleTimeString, even where the time is never
// shown (only a terminal gets it, at the right end of the line): that maps some 4 to 7 MB of ICU locale
// and time-zone data into the engine's process at its first log line. The same clock, formatted by hand.
/** Makes `instance`'s reporters format the time of day with clockTime instead of Intl. */
export function withClockTime(instance: ConsolaInstance): ConsolaInstance {
  for (const reporter of instance.options.reporters) {
    const withDate = reporter as { formatDate?: (date: Date, opts: { date?: boolean }) => string }
    if (typeof withDate.formatDate === 'function') withDate.formatDate = (date, opts) => (opts.date ? clockTime(date) : '')
  }
  return instance
}
withClockTime(root)

export type Logger = Pick<ConsolaInstance, 'info' | 'warn' | 'error' | 'debug'>

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
