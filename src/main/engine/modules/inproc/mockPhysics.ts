// Hermes's mock physics: state += input * dt, then output = input * 2 + state. Deterministic, for wiring tests.
import { z } from 'zod'
import { defineModel } from './model'

export const mockPhysics = defineModel({
  description: 'Integrates its input into state (state += input * dt) and outputs input * 2 + state, as Hermes\'s hermes.modules.mock_physics.',
  options: z.strictObject({}),
  signals: () => [
    { name: 'input', writable: true, description: 'driven by a wire or a client' },
    { name: 'output', description: 'input * 2 + state, after this step’s state update' },
    { name: 'state', description: 'the integral of input over time' }
  ],
  create(ctx) {
    const v = ctx.values
    const input = ctx.slot('input')
    const output = ctx.slot('output')
    const stateSlot = ctx.slot('state')
    // Kept here, not read back from the slot: as in Hermes, the slot only shows it, so writing it changes nothing.
    let state = 0
    const restore = (): void => {
      state = v[stateSlot]!
    }
    return {
      // The scheduler has put the initial values (zero unless the YAML says otherwise) into the slots.
      stage: restore,
      reset: restore,
      step(t) {
        const x = v[input]!
        state += x * t.dt
        v[output] = x * 2 + state
        v[stateSlot] = state
      }
    }
  }
})
