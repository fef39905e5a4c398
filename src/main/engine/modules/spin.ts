// How long a module's thread or process spins for its next request before it sleeps. Spinning saves the
// wake-up (5 to 30 µs per step on each side, more in a virtual machine), but a spinner holds a core, so
// modules spin only when every module's thread and the scheduler's can have a core of their own.
import { availableParallelism } from 'node:os'
import type { ResolvedConfig } from '../config/types'
import { runnerFor } from './kind'

export const SPIN_US = 50

/** Microseconds; HERMES_SPIN_US overrides the rule (0 never spins). */
export function moduleSpinMicros(config: ResolvedConfig): number {
  const override = Number(process.env.HERMES_SPIN_US)
  if (process.env.HERMES_SPIN_US !== undefined && Number.isFinite(override) && override >= 0) return override
  const separate = config.modules.filter((m) => runnerFor(m.type, m.script) !== 'inproc').length
  return separate + 1 <= availableParallelism() ? SPIN_US : 0
}
