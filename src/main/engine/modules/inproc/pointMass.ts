// Point mass in 2-D or 3-D: force in, acceleration, velocity and position out (semi-implicit Euler).
import { z } from 'zod'
import { defineModel, type ModelSignal } from './model'

const vector = z.array(z.number())

const options = z
  .strictObject({
    mass: z.number().positive().default(1),
    dimensions: z.union([z.literal(2), z.literal(3)]).default(2),
    initial_position: vector.optional(),
    initial_velocity: vector.optional(),
    /** Linear drag: force = -damping * velocity, in N·s/m. */
    damping: z.number().nonnegative().default(0),
    /** Constant acceleration added every step, such as gravity, in m/s². */
    gravity: vector.optional()
  })
  .superRefine((o, issue) => {
    for (const key of ['initial_position', 'initial_velocity', 'gravity'] as const) {
      const value = o[key]
      if (value && value.length !== o.dimensions) {
        issue.addIssue({ code: 'custom', path: [key], message: `expected ${o.dimensions} numbers (one per dimension), got ${value.length}` })
      }
    }
  })

const AXES = ['x', 'y', 'z'] as const

export const pointMass = defineModel({
  description: 'A point mass driven by force inputs, integrated with semi-implicit Euler at the module rate.',
  options,
  signals(o) {
    const axes = AXES.slice(0, o.dimensions)
    const signals: ModelSignal[] = []
    axes.forEach((a) => signals.push({ name: `force.${a}`, unit: 'N', writable: true, description: `applied force along ${a}` }))
    axes.forEach((a, i) => signals.push({ name: `position.${a}`, unit: 'm', initial: o.initial_position?.[i] ?? 0 }))
    axes.forEach((a, i) => signals.push({ name: `velocity.${a}`, unit: 'm/s', initial: o.initial_velocity?.[i] ?? 0 }))
    axes.forEach((a) => signals.push({ name: `acceleration.${a}`, unit: 'm/s^2' }))
    return signals
  },
  create(ctx) {
    const o = ctx.options
    const v = ctx.values
    const axes = AXES.slice(0, o.dimensions)
    const force = Int32Array.from(axes, (a) => ctx.slot(`force.${a}`))
    const pos = Int32Array.from(axes, (a) => ctx.slot(`position.${a}`))
    const vel = Int32Array.from(axes, (a) => ctx.slot(`velocity.${a}`))
    const acc = Int32Array.from(axes, (a) => ctx.slot(`acceleration.${a}`))
    const gravity = Float64Array.from(axes, (_, i) => o.gravity?.[i] ?? 0)
    const inverseMass = 1 / o.mass
    const n = axes.length
    return {
      step(t) {
        const dt = t.dt
        for (let i = 0; i < n; i++) {
          const velocity = v[vel[i]!]!
          const a = (v[force[i]!]! - o.damping * velocity) * inverseMass + gravity[i]!
          const nextVelocity = velocity + a * dt
          v[acc[i]!] = a
          v[vel[i]!] = nextVelocity
          v[pos[i]!] = v[pos[i]!]! + nextVelocity * dt
        }
      }
    }
  }
})
