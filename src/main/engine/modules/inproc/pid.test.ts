import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { pid } from './pid'
import { build, type Rig } from './testRig'

// A binary-exact step, so sums of e·dt are exact for simple errors.
const DT = 0.125

type PidRig = Rig<z.output<typeof pid.options>>

/** Sets setpoint and measurement, steps once, returns the output (-0, as from 0 · a negative error, as 0). */
function drive(rig: PidRig, setpoint: number, measurement: number): number {
  rig.set('setpoint', setpoint)
  rig.set('measurement', measurement)
  rig.step()
  return rig.get('output') + 0
}

describe('pid', () => {
  it('declares setpoint and measurement (writable) and output, error, integral', () => {
    const signals = pid.signals(pid.options.parse({ unit: 'm' }))
    expect(signals.map((s) => s.name)).toEqual(['setpoint', 'measurement', 'output', 'error', 'integral'])
    expect(signals.filter((s) => s.writable).map((s) => s.name)).toEqual(['setpoint', 'measurement'])
    expect(signals.find((s) => s.name === 'error')?.unit).toBe('m')
  })

  it('proportional only: output = kp · (setpoint - measurement)', () => {
    const rig = build(pid, { kp: 2.5 }, DT)
    for (const [sp, m] of [
      [3, 1],
      [0, 4],
      [-1.5, -1.5],
      [10, -2]
    ] as const) {
      const out = drive(rig, sp, m)
      expect(out).toBe(2.5 * (sp - m))
      expect(rig.get('error')).toBe(sp - m)
    }
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('integral accumulates e·dt, and the output is ki times it', () => {
    const rig = build(pid, { kp: 0, ki: 2 }, DT)
    const errors = [1, 1, -0.5, 2, 0.25, 0, -3, 1.5]
    let integral = 0
    for (const e of errors) {
      integral += e * DT
      expect(drive(rig, e, 0)).toBe(2 * integral)
      expect(rig.get('integral')).toBe(integral)
      expect(rig.get('error')).toBe(e)
    }
  })

  it('integral with a constant error grows linearly in time', () => {
    const dt = 0.01
    const rig = build(pid, { kp: 0, ki: 1 }, dt)
    for (let n = 1; n <= 300; n++) drive(rig, 2, 0.5)
    expect(rig.get('integral')).toBeCloseTo(1.5 * 300 * dt, 10)
    expect(rig.get('output')).toBeCloseTo(1.5 * 3, 10)
  })

  it('P + I + D terms add up', () => {
    const rig = build(pid, { kp: 3, ki: 0.5, kd: 0.25 }, DT)
    drive(rig, 1, 0) // first step: e = 1, I = 1/8, no derivative
    expect(rig.get('output')).toBe(3 * 1 + 0.5 * 0.125)
    // e = 1 - 0.5 = 0.5, I = 0.125 + 0.0625, D = -(0.5 - 0) / dt = -4
    expect(drive(rig, 1, 0.5)).toBe(3 * 0.5 + 0.5 * 0.1875 + 0.25 * -4)
  })

  describe('derivative on measurement', () => {
    it('a setpoint step gives no derivative kick', () => {
      const rig = build(pid, { kp: 0, kd: 1 }, DT)
      expect(drive(rig, 0, 0)).toBe(0)
      expect(drive(rig, 5, 0)).toBe(0) // derivative on error would give kd · 5 / dt = 40
      expect(drive(rig, -7, 0)).toBe(0)
      // With a proportional term, a setpoint step gives exactly kp · error.
      const p = build(pid, { kp: 2, kd: 1 }, DT)
      drive(p, 0, 0)
      expect(drive(p, 5, 0)).toBe(10)
    })

    it('a measurement change gives -kd · Δm / dt', () => {
      const rig = build(pid, { kp: 0, kd: 1.5 }, DT)
      expect(drive(rig, 0, 0)).toBe(0)
      expect(drive(rig, 0, 0.5)).toBe(1.5 * (-0.5 / DT)) // -6
      expect(drive(rig, 0, 0.5)).toBe(0) // no change, no derivative
      expect(drive(rig, 0, 0.25)).toBe(1.5 * (0.25 / DT)) // +3
    })

    it('the first step has no derivative, whatever the measurement', () => {
      const rig = build(pid, { kp: 0, kd: 1 }, DT)
      expect(drive(rig, 0, 3)).toBe(0)
    })

    it('derivative_filter is a first-order lag with α = dt / (τ + dt)', () => {
      // τ = 3 dt, so α = 1/4; a measurement ramp of slope 1 gives a raw derivative of -1 from step 1.
      const rig = build(pid, { kp: 0, kd: 1, derivative_filter: 3 * DT }, DT)
      expect(drive(rig, 0, 0)).toBe(0)
      for (let k = 1; k <= 20; k++) {
        const out = drive(rig, 0, k * DT)
        expect(out).toBeCloseTo(-(1 - 0.75 ** k), 12)
      }
    })
  })

  describe('output limits', () => {
    it('clamps the output to [output_min, output_max]', () => {
      const rig = build(pid, { kp: 10, output_min: -1, output_max: 2 }, DT)
      expect(drive(rig, 1, 0)).toBe(2)
      expect(drive(rig, -1, 0)).toBe(-1)
      expect(drive(rig, 0.1, 0)).toBeCloseTo(1, 12)
      expect(drive(rig, 0, 0.05)).toBeCloseTo(-0.5, 12)
      // The error is still reported unclamped.
      drive(rig, 100, 0)
      expect(rig.get('error')).toBe(100)
      expect(rig.get('output')).toBe(2)
    })

    it('one-sided limits clamp one side only', () => {
      const low = build(pid, { kp: 1, output_min: 0 }, DT)
      expect(drive(low, -5, 0)).toBe(0)
      expect(drive(low, 1e6, 0)).toBe(1e6)
      const high = build(pid, { kp: 1, output_max: 0 }, DT)
      expect(drive(high, 5, 0)).toBe(0)
      expect(drive(high, -1e6, 0)).toBe(-1e6)
    })
  })

  describe('anti-windup', () => {
    it('the integral stops growing once it alone saturates the output', () => {
      const steps = 20
      const clamped = build(pid, { kp: 0, ki: 1, output_max: 1 }, DT)
      const unclamped = build(pid, { kp: 0, ki: 1 }, DT)
      for (let n = 1; n <= steps; n++) {
        drive(clamped, 1, 0)
        drive(unclamped, 1, 0)
        // Until it reaches max / ki = 1 the two agree; afterwards the clamped one holds.
        expect(clamped.get('integral')).toBe(Math.min(n * DT, 1))
        expect(clamped.get('output')).toBe(Math.min(n * DT, 1))
        expect(unclamped.get('integral')).toBe(n * DT)
      }
      expect(unclamped.get('integral')).toBe(2.5)
      // When the error reverses, the clamped controller leaves saturation at once...
      expect(drive(clamped, -1, 0)).toBe(1 - DT)
      // ...while a controller that had wound up (integral 2.5, output clamped at 1) would still be saturated.
      expect(Math.min(1, 2.5 - DT)).toBe(1)
      expect(drive(unclamped, -1, 0)).toBe(2.5 - DT)
    })

    it('with a proportional term pushing into saturation, the integral does not move', () => {
      const steps = 40
      const clamped = build(pid, { kp: 1, ki: 1, output_max: 1 }, DT)
      const unclamped = build(pid, { kp: 1, ki: 1 }, DT)
      for (let n = 1; n <= steps; n++) {
        expect(drive(clamped, 10, 0)).toBe(1)
        drive(unclamped, 10, 0)
        expect(clamped.get('integral')).toBe(0)
      }
      expect(unclamped.get('integral')).toBe(10 * steps * DT)
      expect(unclamped.get('output')).toBe(10 + 10 * steps * DT)
    })

    it('works the same way at output_min', () => {
      const clamped = build(pid, { kp: 0, ki: 2, output_min: -1 }, DT)
      for (let n = 1; n <= 20; n++) drive(clamped, -1, 0)
      // Holds at -output_min / ki = -0.5.
      expect(clamped.get('integral')).toBe(-0.5)
      expect(clamped.get('output')).toBe(-1)
      expect(drive(clamped, 1, 0)).toBe(2 * (-0.5 + DT))
    })

    it('holds for a reverse-acting controller (negative gains) too', () => {
      // kp = ki = -1: a positive error drives the output down, into output_min.
      const steps = 20
      const clamped = build(pid, { kp: 0, ki: -1, output_min: -1 }, DT)
      const unclamped = build(pid, { kp: 0, ki: -1 }, DT)
      for (let n = 1; n <= steps; n++) {
        drive(clamped, 1, 0)
        drive(unclamped, 1, 0)
        expect(clamped.get('integral')).toBe(Math.min(n * DT, 1))
        expect(clamped.get('output')).toBe(-Math.min(n * DT, 1))
      }
      expect(unclamped.get('integral')).toBe(steps * DT)
      // Leaves saturation as soon as the error reverses.
      expect(drive(clamped, -1, 0)).toBe(-(1 - DT))

      const withP = build(pid, { kp: -1, ki: -1, output_max: 1 }, DT)
      for (let n = 1; n <= steps; n++) expect(drive(withP, -10, 0)).toBe(1)
      expect(withP.get('integral')).toBe(0)
    })

    it('keeps integrating while saturated if the error pulls out of saturation', () => {
      // The derivative alone drives the output over the maximum while the error is negative:
      // integrating then lowers the output, so it is allowed.
      const rig = build(pid, { kp: 0, ki: 1, kd: 1, output_max: 1 }, DT)
      drive(rig, -10, 0)
      // Integral after step 0: -10 · dt = -1.25.
      expect(rig.get('integral')).toBe(-1.25)
      // Step 1: m 0 → -1, e = -9, D = +8, I = -1.25 - 1.125 = -2.375, unclamped u = 5.625 > max.
      expect(drive(rig, -10, -1)).toBe(1)
      expect(rig.get('integral')).toBe(-2.375)
    })
  })

  it('integral_limit bounds the integral on both sides', () => {
    const rig = build(pid, { kp: 0, ki: 1, integral_limit: 0.5 }, DT)
    const expected = [0.125, 0.25, 0.375, 0.5, 0.5, 0.5, 0.5]
    for (const I of expected) {
      expect(drive(rig, 1, 0)).toBe(I)
      expect(rig.get('integral')).toBe(I)
    }
    // It comes back down at once when the error reverses, and bounds the negative side too.
    expect(drive(rig, -1, 0)).toBe(0.375)
    for (let n = 0; n < 20; n++) drive(rig, -1, 0)
    expect(rig.get('integral')).toBe(-0.5)
    expect(rig.get('output')).toBe(-0.5)
  })

  it('stage() clears the integral and derivative state', () => {
    const rig = build(pid, { kp: 0, ki: 1, kd: 1 }, DT)
    for (let n = 0; n < 5; n++) drive(rig, 1, 0)
    expect(rig.get('integral')).toBe(5 * DT)
    rig.stage()
    // Fresh: I = e · dt only, and no derivative from the jump in measurement 0 → 2 across the stage.
    expect(drive(rig, 0, 2)).toBe(-2 * DT)
    expect(rig.get('integral')).toBe(-2 * DT)
    // The next measurement change is differentiated against the post-stage measurement.
    expect(drive(rig, 0, 2)).toBe(-4 * DT)
  })

  it('stage() clears the filtered derivative too', () => {
    const rig = build(pid, { kp: 0, kd: 1, derivative_filter: 0.5 }, DT)
    for (let k = 0; k < 10; k++) drive(rig, 0, k)
    expect(rig.get('output')).not.toBe(0)
    rig.stage()
    expect(drive(rig, 0, 100)).toBe(0)
    expect(drive(rig, 0, 100)).toBe(0)
  })

  it('a fresh run after stage() repeats the first run exactly', () => {
    const rig = build(pid, { kp: 1.2, ki: 0.7, kd: 0.05, output_min: -2, output_max: 2, derivative_filter: 0.02 }, 0.01)
    const runOnce = (): number[] => {
      const out: number[] = []
      let m = 0
      for (let k = 0; k < 200; k++) {
        const u = drive(rig, k < 100 ? 1 : -1, m)
        m += 0.01 * (u - m)
        out.push(u)
      }
      return out
    }
    const first = runOnce()
    rig.stage()
    expect(runOnce()).toEqual(first)
  })

  describe('options', () => {
    it('output_min >= output_max fails to parse, naming output_min', () => {
      for (const [output_min, output_max] of [
        [1, 1],
        [2, 1]
      ]) {
        const result = pid.options.safeParse({ output_min, output_max })
        expect(result.success).toBe(false)
        expect(result.error?.issues[0]?.path).toEqual(['output_min'])
        expect(result.error?.issues[0]?.message).toContain('output_max')
      }
      expect(pid.options.safeParse({ output_min: -1, output_max: 1 }).success).toBe(true)
      expect(pid.options.safeParse({ output_min: 5 }).success).toBe(true)
      expect(pid.options.safeParse({ output_max: -5 }).success).toBe(true)
    })

    it('rejects a non-positive integral_limit, a negative derivative_filter and unknown keys', () => {
      expect(pid.options.safeParse({ integral_limit: 0 }).success).toBe(false)
      expect(pid.options.safeParse({ integral_limit: -1 }).success).toBe(false)
      expect(pid.options.safeParse({ derivative_filter: -0.1 }).success).toBe(false)
      expect(pid.options.safeParse({ kp: 1, k_p: 2 }).success).toBe(false)
    })

    it('defaults to a pure unit proportional controller with no limits', () => {
      expect(pid.options.parse({})).toMatchObject({ kp: 1, ki: 0, kd: 0, output_min: null, output_max: null, integral_limit: null, derivative_filter: 0 })
    })
  })
})
