// Test rig for built-in models: one instance on a small private backplane, driven frame by frame.
import type { z } from 'zod'
import type { ModuleInstance, StepTime } from '../module'
import type { ModelDefinition, ModelSignal } from './model'

/** Slots below and above the module's own are filled with this and must never change. */
const SENTINEL = -12345.5
const BASE = 3

export interface Rig<Options> {
  options: Options
  signals: ModelSignal[]
  values: Float64Array
  instance: ModuleInstance
  time: StepTime
  get(name: string): number
  set(name: string, value: number): void
  /** Steps at the current frame's start time, then advances to the next frame. */
  step(): void
  stepN(n: number): void
  /** Initial values back into the slots, stage(), and frame 0 again, as the scheduler does. */
  stage(): void
  /** True when no slot outside the module's own has been touched. */
  foreignSlotsUntouched(): boolean
}

export function build<S extends z.ZodType>(model: ModelDefinition<S>, raw: unknown, dt: number, extraSignals: string[] = []): Rig<z.output<S>> {
  const options = model.options.parse(raw)
  const signals = [...model.signals(options), ...extraSignals.map((name): ModelSignal => ({ name }))]
  const names = signals.map((s) => s.name)
  const index = new Map(names.map((n, i) => [n, BASE + i]))
  const values = new Float64Array(BASE + names.length + 2).fill(SENTINEL)
  const slot = (name: string): number => {
    const i = index.get(name)
    if (i === undefined) throw new Error(`no signal '${name}'`)
    return i
  }
  const instance = model.create({
    name: 'm',
    options,
    values,
    slot
  })
  const time: StepTime = { frame: 0, timeNs: 0, time: 0, dt }
  const setFrame = (frame: number): void => {
    time.frame = frame
    time.time = frame * dt
    time.timeNs = Math.round(frame * dt * 1e9)
  }
  const rig: Rig<z.output<S>> = {
    options,
    signals,
    values,
    instance,
    time,
    get: (name) => values[slot(name)]!,
    set: (name, value) => {
      values[slot(name)] = value
    },
    step() {
      instance.step(time)
      setFrame(time.frame + 1)
    },
    stepN(n) {
      for (let k = 0; k < n; k++) rig.step()
    },
    stage() {
      for (const s of signals) values[slot(s.name)] = s.initial ?? 0
      instance.stage?.()
      setFrame(0)
    },
    foreignSlotsUntouched() {
      for (let i = 0; i < values.length; i++) {
        if ((i < BASE || i >= BASE + names.length) && values[i] !== SENTINEL) return false
      }
      return true
    }
  }
  rig.stage()
  return rig
}
