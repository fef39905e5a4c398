// Derived signals: a name, an expression over other signals and a unit, defined in the console and saved
// in its layout. They exist only in this console; the engine and other clients never see them.
import { z } from 'zod'
import { compileExpression, describeError, type Compiled } from './expression'

export interface DerivedSignal {
  name: string
  expression: string
  unit: string
}

/** Dotted identifiers, as expressions can name them: `speed`, `vehicle.speed_xy`. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/

export const MAX_DERIVED = 256

export const derivedSchema = z.strictObject({
  name: z.string().regex(NAME, 'expected a name of letters, digits and _ parts joined by dots'),
  expression: z.string().max(2000),
  unit: z.string().max(100).default('')
})

/** Why a name cannot be a derived signal's, or null when it can. */
export function nameProblem(name: string, schemaSignals: ReadonlySet<string>, others: readonly DerivedSignal[]): string | null {
  if (!NAME.test(name)) return 'a name is letters, digits and _ in parts joined by dots (speed, vehicle.speed_xy)'
  if (schemaSignals.has(name)) return `'${name}' is a signal of the run already`
  if (others.some((d) => d.name === name)) return `a derived signal '${name}' exists already`
  return null
}

export interface CompiledDerived {
  signal: DerivedSignal
  compiled: Compiled
}

/**
 * Compiles every definition in order: each may use the run's signals and the derived signals defined
 * before it (so there are no cycles). One that does not compile is kept with its error, and yields NaN.
 */
export function compileDerived(defs: readonly DerivedSignal[], schemaSignals: ReadonlySet<string>): CompiledDerived[] {
  const before = new Set<string>()
  return defs.map((signal) => {
    const compiled = compileExpression(signal.expression, (n) => schemaSignals.has(n) || before.has(n))
    before.add(signal.name)
    return { signal, compiled }
  })
}

/** The errors of a set of definitions, by name, as people read them. */
export function derivedErrors(compiled: readonly CompiledDerived[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const c of compiled) if (!c.compiled.ok) out[c.signal.name] = describeError(c.compiled)
  return out
}
