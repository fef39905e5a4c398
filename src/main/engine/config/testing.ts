// Test and benchmark helpers: large generated configurations, a count of the work done by array scans,
// and the ConfigError a load throws.
import { ConfigError } from './issues'

/** One injection module with `signals` signals: what the quadratic duplicate check of issue 14 choked on. */
export function manySignals(signals: number): string {
  const lines = ['modules:', '  inputs:', '    type: inproc', '    model: injection', '    signals:']
  for (let i = 0; i < signals; i++) lines.push(`      - { name: s${i}, unit: m }`)
  return `${lines.join('\n')}\n`
}

/**
 * `modules` modules of one signal each (every module but the first an injection), a wire into each from
 * the one before, and a schedule that lists every module: lookups by module, signal and schedule entry.
 */
export function manyModules(modules: number): string {
  const lines = ['modules:']
  for (let m = 0; m < modules; m++) lines.push(`  m${m}: { type: inproc, model: injection, signals: [{ name: x }] }`)
  lines.push('wiring:')
  for (let m = 1; m < modules; m++) lines.push(`  - { src: m${m - 1}.x, dst: m${m}.x }`)
  lines.push('execution:', '  schedule:')
  for (let m = modules - 1; m >= 0; m--) lines.push(`    - m${m}`)
  return `${lines.join('\n')}\n`
}

const SCANS = ['some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'filter', 'includes', 'indexOf', 'lastIndexOf', 'map', 'forEach', 'flatMap', 'reduce'] as const

/**
 * Runs `work` while counting the elements that array scans (some, find, includes, map, ...) were called
 * over: a scan inside a loop over the same data shows as work growing with the square of its size,
 * whatever the clock says. Counts what the loader and its libraries do; for loops are not seen.
 */
export function countScannedElements(work: () => void): number {
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
  const originals = SCANS.map((name) => [name, proto[name]!] as const)
  let scanned = 0
  for (const [name, original] of originals) {
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      scanned += this.length
      return original.apply(this, args)
    }
  }
  try {
    work()
  } finally {
    for (const [name, original] of originals) proto[name] = original
  }
  return scanned
}

/** The ConfigError that `run` throws; fails when it loads, or throws anything else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError, but the configuration loaded')
}
