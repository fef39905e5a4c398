// What the limit checker found, for the views: the level of every signal out of limits now, and every
// crossing with its sim time, frame and value, acknowledged or not. Changed only on crossings, in batches.
import { create } from 'zustand'
import type { Level } from './limits'

export interface Crossing {
  id: number
  signal: string
  from: Level
  to: Level
  frame: number
  /** Simulation time, s. */
  time: number
  value: number
  acknowledged: boolean
}

/** Crossings kept; older ones go first (an oscillating signal must not grow memory without bound). */
export const MAX_CROSSINGS = 2000

export interface AlarmState {
  /** Signals out of limits now and their level; absent means within limits. */
  levels: Record<string, Level>
  /** Oldest first. */
  crossings: Crossing[]
  acknowledge(id: number): void
  acknowledgeAll(): void
  clear(): void
}

export const useAlarms = create<AlarmState>()((set) => ({
  levels: {},
  crossings: [],
  acknowledge: (id) => set((s) => ({ crossings: s.crossings.map((c) => (c.id === id && !c.acknowledged ? { ...c, acknowledged: true } : c)) })),
  acknowledgeAll: () => set((s) => ({ crossings: s.crossings.map((c) => (c.acknowledged ? c : { ...c, acknowledged: true })) })),
  clear: () => set({ crossings: [], levels: {} })
}))

let nextId = 1
const pending: Crossing[] = []
let flushScheduled = false

/**
 * Records a crossing. They reach the store in one update per task, so a burst of frames (or a signal
 * chattering about its bound) costs one render, not one per crossing.
 */
export function recordCrossing(signal: string, from: Level, to: Level, frame: number, time: number, value: number): void {
  pending.push({ id: nextId++, signal, from, to, frame, time, value, acknowledged: false })
  if (flushScheduled) return
  flushScheduled = true
  setTimeout(flushCrossings, 0)
}

/** Puts the pending crossings into the store now (tests, and the timer). */
export function flushCrossings(): void {
  flushScheduled = false
  if (pending.length === 0) return
  const batch = pending.splice(0)
  useAlarms.setState((s) => {
    const levels = { ...s.levels }
    for (const c of batch) {
      if (c.to === 0) delete levels[c.signal]
      else levels[c.signal] = c.to
    }
    const crossings = s.crossings.concat(batch)
    return { levels, crossings: crossings.length > MAX_CROSSINGS ? crossings.slice(-MAX_CROSSINGS) : crossings }
  })
}

/** Levels for signals no longer checked (limits removed, signal gone) are dropped without a crossing. */
export function keepLevelsOf(checked: ReadonlySet<string>): void {
  const levels = useAlarms.getState().levels
  if (Object.keys(levels).every((n) => checked.has(n))) return
  useAlarms.setState({ levels: Object.fromEntries(Object.entries(levels).filter(([n]) => checked.has(n))) })
}

/** The level of one signal, re-rendering only when it changes. */
export function useLevel(signal: string): Level {
  return useAlarms((s) => s.levels[signal] ?? 0)
}
