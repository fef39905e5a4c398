// The shared-memory backplane: a small header and one float64 slot per signal, in one SharedArrayBuffer.
import type { ResolvedModule } from '../config/types'

/** Header slots (float64): frame, time in integer ns, run state. The rest are reserved. */
export const HEADER = { frame: 0, timeNs: 1, state: 2, slots: 8 } as const

export class Backplane {
  readonly header: Float64Array
  readonly values: Float64Array
  private readonly slots: Map<string, number>

  private constructor(
    readonly buffer: SharedArrayBuffer,
    /** Qualified signal names in slot order: module order, then each module's signal order. */
    readonly names: readonly string[]
  ) {
    this.header = new Float64Array(buffer, 0, HEADER.slots)
    this.values = new Float64Array(buffer, HEADER.slots * 8, names.length)
    this.slots = new Map(names.map((n, i) => [n, i]))
  }

  static create(modules: readonly ResolvedModule[]): Backplane {
    const names = modules.flatMap((m) => m.signals.map((s) => s.qualified))
    return new Backplane(new SharedArrayBuffer((HEADER.slots + names.length) * 8), names)
  }

  /** Another thread's view of the same memory. */
  static attach(buffer: SharedArrayBuffer, names: readonly string[]): Backplane {
    return new Backplane(buffer, names)
  }

  slot(qualified: string): number | undefined {
    return this.slots.get(qualified)
  }
}
