// The engine's logger: consola, tagged per component. Level from HERMES_LOG (silent, error, warn, info, debug).
// Every message is bounded before consola sees it: a module's 1 MB stderr line must not stall the thread
// that serves clients, nor flood the terminal.
// consola/basic, not consola: the terminal reporter builds an Intl.Segmenter and Unicode property
// regexes when it loads and formats every message's time with toLocaleTimeString, which together map
// some 4 to 7 MB of ICU data and heap into the engine's process (issue 16). Lines read `[warn] [tag] text`.
import { createConsola, type ConsolaInstance } from 'consola/basic'
import { boundLogText, LOG_LEVEL } from './logBounds'

export { boundLogText, LOG_LINE_CHARS, LOG_MESSAGE_CHARS, logLevelEnabled } from './logBounds'

const root = createConsola({ level: LOG_LEVEL, stdout: process.stderr, stderr: process.stderr })

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
