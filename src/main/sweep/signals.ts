// Where a configuration's signals sit on the backplane: the order every module and the frame loop use.
import type { ResolvedConfig } from '../engine/config/types'

/** Slot of each qualified signal name, in backplane order (modules, then their signals). */
export function signalSlots(config: ResolvedConfig): Map<string, number> {
  const slots = new Map<string, number>()
  for (const m of config.modules) for (const s of m.signals) slots.set(s.qualified, slots.size)
  return slots
}
