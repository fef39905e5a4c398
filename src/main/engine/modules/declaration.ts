// What a script or process module declares about itself (its signals), checked with the YAML's own signal schema.
import { z } from 'zod'
import type { SignalDeclaration } from '../../../shared/module/defineModule'
import { signalSchema } from '../config/schema'

export type DeclaredSignal = z.output<typeof signalSchema>

// What script authors see (src/shared) and what the engine checks must stay the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const _sameShape: Same<Required<SignalDeclaration>, Required<DeclaredSignal>> = true

export interface ModuleDeclaration {
  signals: DeclaredSignal[]
}

const declarationSchema = z.array(signalSchema)

function where(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
}

/** Checks a module's `signals`; throws one Error listing every problem, each with its place in the list. */
export function parseDeclaration(signals: unknown): ModuleDeclaration {
  if (signals === undefined || signals === null) return { signals: [] }
  const result = declarationSchema.safeParse(signals)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `signals${where(i.path)}: ${i.message.replace(/^Invalid input: /, '')}`)
    throw new Error(`its signal declaration is invalid: ${problems.join('; ')}`)
  }
  const seen = new Set<string>()
  for (const [i, s] of result.data.entries()) {
    if (seen.has(s.name)) throw new Error(`its signal declaration is invalid: signals[${i}]: duplicate signal '${s.name}'`)
    seen.add(s.name)
  }
  return { signals: result.data }
}
