// Summing junction: out = bias + Σ gain_i * input_i, for mixing a command with a disturbance.
import { z } from 'zod'
import { defineModel } from './model'

const options = z
  .strictObject({
    inputs: z.array(z.string().min(1)).min(1).default(['a', 'b']),
    gains: z.array(z.number()).optional(),
    bias: z.number().default(0),
    unit: z.string().default('')
  })
  .superRefine((o, issue) => {
    if (o.gains && o.gains.length !== o.inputs.length) {
      issue.addIssue({ code: 'custom', path: ['gains'], message: `expected ${o.inputs.length} gains (one per input), got ${o.gains.length}` })
    }
    if (new Set(o.inputs).size !== o.inputs.length) issue.addIssue({ code: 'custom', path: ['inputs'], message: 'input names must be unique' })
    if (o.inputs.includes('out')) issue.addIssue({ code: 'custom', path: ['inputs'], message: "'out' is the output's name and cannot be an input" })
  })

export const sum = defineModel({
  description: 'Adds its inputs, each times its gain, plus a bias.',
  options,
  signals: (o) => [...o.inputs.map((name) => ({ name, unit: o.unit, writable: true })), { name: 'out', unit: o.unit }],
  create(ctx) {
    const o = ctx.options
    const v = ctx.values
    const inputs = Int32Array.from(o.inputs, (name) => ctx.slot(name))
    const gains = Float64Array.from(o.inputs, (_, i) => o.gains?.[i] ?? 1)
    const out = ctx.slot('out')
    const n = inputs.length
    return {
      step() {
        let total = o.bias
        for (let i = 0; i < n; i++) total += gains[i]! * v[inputs[i]!]!
        v[out] = total
      }
    }
  }
})
