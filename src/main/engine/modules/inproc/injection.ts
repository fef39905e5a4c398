// Injection: writable signals that hold whatever a client or a wire last wrote; reset restores initials.
import { z } from 'zod'
import { defineModel } from './model'

export const injection = defineModel({
  description: 'Holds writable values set by clients or wires; every YAML signal is writable unless it says otherwise.',
  options: z.strictObject({}),
  signals: () => [],
  freeSignals: { writable: true },
  // Values live in the backplane slots; the scheduler restores their initial values on reset.
  create: () => ({ step() {} })
})
