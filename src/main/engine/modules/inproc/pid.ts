// PID controller: setpoint and measurement in, output out, with limits and clamping anti-windup.
import { z } from 'zod'
import { defineModel } from './model'

const limit = z.number().nullable().default(null)

const options = z
  .strictObject({
    kp: z.number().default(1),
    ki: z.number().default(0),
    kd: z.number().default(0),
    output_min: limit,
    output_max: limit,
    /** Bound on the magnitude of the integral state; null for none. */
    integral_limit: z.number().positive().nullable().default(null),
    /** Time constant of a first-order filter on the derivative term, in seconds; 0 for none. */
    derivative_filter: z.number().nonnegative().default(0),
    unit: z.string().default('')
  })
  .refine((o) => o.output_min === null || o.output_max === null || o.output_min < o.output_max, {
    message: 'output_min must be less than output_max',
    path: ['output_min']
  })

export const pid = defineModel({
  description: 'PID on error = setpoint - measurement; derivative on measurement (no kick on setpoint steps).',
  options,
  signals: (o) => [
    { name: 'setpoint', unit: o.unit, writable: true },
    { name: 'measurement', unit: o.unit, writable: true },
    { name: 'output' },
    { name: 'error', unit: o.unit },
    { name: 'integral' }
  ],
  create(ctx) {
    const o = ctx.options
    const v = ctx.values
    const setpoint = ctx.slot('setpoint')
    const measurement = ctx.slot('measurement')
    const output = ctx.slot('output')
    const error = ctx.slot('error')
    const integralSlot = ctx.slot('integral')
    const min = o.output_min ?? -Infinity
    const max = o.output_max ?? Infinity
    const iLimit = o.integral_limit ?? Infinity
    let integral = 0
    let derivative = 0
    let previousMeasurement = 0
    let first = true
    return {
      stage() {
        integral = 0
        derivative = 0
        first = true
      },
      step(t) {
        const dt = t.dt
        const m = v[measurement]!
        const e = v[setpoint]! - m
        const rawDerivative = first ? 0 : -(m - previousMeasurement) / dt
        derivative = o.derivative_filter > 0 ? derivative + (dt / (o.derivative_filter + dt)) * (rawDerivative - derivative) : rawDerivative
        previousMeasurement = m
        first = false

        const candidate = Math.max(-iLimit, Math.min(iLimit, integral + e * dt))
        let u = o.kp * e + o.ki * candidate + o.kd * derivative
        // Clamping anti-windup: integrate only while that does not push further into saturation
        // (the sign of ki · e, not of e alone, so that negative gains are clamped too).
        const push = o.ki * e
        if ((u > max && push > 0) || (u < min && push < 0)) {
          u = o.kp * e + o.ki * integral + o.kd * derivative
        } else {
          integral = candidate
        }
        v[output] = u > max ? max : u < min ? min : u
        v[error] = e
        v[integralSlot] = integral
      }
    }
  }
})
