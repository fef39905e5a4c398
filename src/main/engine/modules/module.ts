// The contract between the scheduler and every module it steps, whatever kind of module it is.
import type { WaitCounters } from './spin'

/** Time as a module sees it during one step; the scheduler mutates one object per schedule entry. */
export interface StepTime {
  /** Frame being computed (0 for the first step after stage or reset). */
  frame: number
  /** Simulation time at the start of this step, integer nanoseconds. */
  timeNs: number
  /** Same time in seconds. */
  time: number
  /** This module's step in seconds (frame dt divided by its sub-step count). */
  dt: number
}

export interface ModuleInstance {
  /** Puts internal state to its initial value and writes initial outputs; called once before the first frame. */
  stage?(): void
  step(time: StepTime): void
  /** Back to the staged initial state; stage() is called instead when a module has no reset(). */
  reset?(): void
  terminate?(): void
  /** A module on another thread or process: how the scheduler waited for it (spin.ts). */
  waitCounters?(): Readonly<WaitCounters>
}
