import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { pointMass } from './pointMass'
import { build } from './testRig'

function names(raw: Record<string, unknown>): string[] {
  return pointMass.signals(pointMass.options.parse(raw)).map((s) => s.name)
}

/** The first issue of a failed parse, with its path as a dotted string. */
function parseFailure(raw: Record<string, unknown>): { path: string; message: string; pretty: string } {
  const result = pointMass.options.safeParse(raw)
  expect(result.success).toBe(false)
  if (result.success) throw new Error('parsed')
  const issue = result.error.issues[0]!
  return { path: issue.path.join('.'), message: issue.message, pretty: z.prettifyError(result.error) }
}

describe('point_mass', () => {
  it('declares force (writable), position, velocity and acceleration for x and y in 2-D', () => {
    const signals = pointMass.signals(pointMass.options.parse({}))
    expect(signals.map((s) => s.name)).toEqual([
      'force.x',
      'force.y',
      'position.x',
      'position.y',
      'velocity.x',
      'velocity.y',
      'acceleration.x',
      'acceleration.y'
    ])
    expect(signals.filter((s) => s.writable).map((s) => s.name)).toEqual(['force.x', 'force.y'])
    expect(signals.find((s) => s.name === 'position.x')?.unit).toBe('m')
    expect(signals.find((s) => s.name === 'velocity.y')?.unit).toBe('m/s')
    expect(signals.find((s) => s.name === 'force.x')?.unit).toBe('N')
  })

  it('has z signals in 3-D', () => {
    const n = names({ dimensions: 3 })
    for (const kind of ['force', 'position', 'velocity', 'acceleration']) {
      expect(n).toContain(`${kind}.x`)
      expect(n).toContain(`${kind}.y`)
      expect(n).toContain(`${kind}.z`)
    }
    expect(n).toHaveLength(12)
    expect(names({ dimensions: 2 }).some((s) => s.endsWith('.z'))).toBe(false)
  })

  it('takes initial position and velocity as the signals’ initial values', () => {
    const signals = pointMass.signals(pointMass.options.parse({ dimensions: 3, initial_position: [1, 2, 3], initial_velocity: [-4, 5, -6] }))
    const initial = Object.fromEntries(signals.map((s) => [s.name, s.initial ?? 0]))
    expect(initial).toMatchObject({
      'position.x': 1,
      'position.y': 2,
      'position.z': 3,
      'velocity.x': -4,
      'velocity.y': 5,
      'velocity.z': -6,
      'force.x': 0,
      'acceleration.z': 0
    })
  })

  it('constant force from rest: exactly the semi-implicit Euler result', () => {
    // Binary-exact numbers so every sum is exact: a = F/m = (0.5, -1.5), dt = 1/64.
    const dt = 1 / 64
    const m = 4
    const F = [2, -6] as const
    const a = [F[0] / m, F[1] / m] as const
    const rig = build(pointMass, { mass: m }, dt)
    rig.set('force.x', F[0])
    rig.set('force.y', F[1])
    for (let n = 1; n <= 200; n++) {
      rig.step()
      expect(rig.get('acceleration.x')).toBe(a[0])
      expect(rig.get('acceleration.y')).toBe(a[1])
      // v_n = n a dt; x_n = Σ v_k dt = a dt² n(n+1)/2.
      expect(rig.get('velocity.x')).toBe(n * a[0] * dt)
      expect(rig.get('velocity.y')).toBe(n * a[1] * dt)
      expect(rig.get('position.x')).toBe((a[0] * dt * dt * n * (n + 1)) / 2)
      expect(rig.get('position.y')).toBe((a[1] * dt * dt * n * (n + 1)) / 2)
    }
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('constant force from rest with a decimal dt matches the closed form to rounding', () => {
    const dt = 0.01
    const m = 3
    const F = 7
    const a = F / m
    const rig = build(pointMass, { mass: m }, dt)
    rig.set('force.x', F)
    const N = 1000
    rig.stepN(N)
    expect(rig.get('velocity.x')).toBeCloseTo(N * a * dt, 10)
    expect(rig.get('position.x')).toBeCloseTo((a * dt * dt * N * (N + 1)) / 2, 9)
    expect(rig.get('position.y')).toBe(0)
    expect(rig.get('velocity.y')).toBe(0)
  })

  it("initial_velocity (1.0, 0.5) with no force moves x by 1.0·dt and y by 0.5·dt per step (seed 000's vehicle)", () => {
    const dt = 0.01
    const rig = build(pointMass, { dimensions: 2, initial_velocity: [1.0, 0.5] }, dt)
    expect(rig.get('velocity.x')).toBe(1)
    expect(rig.get('velocity.y')).toBe(0.5)
    let x = rig.get('position.x')
    let y = rig.get('position.y')
    expect([x, y]).toEqual([0, 0])
    for (let n = 1; n <= 100; n++) {
      rig.step()
      const nx = rig.get('position.x')
      const ny = rig.get('position.y')
      expect(nx - x).toBeCloseTo(1.0 * dt, 12)
      expect(ny - y).toBeCloseTo(0.5 * dt, 12)
      expect(nx).toBeCloseTo(n * 1.0 * dt, 10)
      expect(ny).toBeCloseTo(n * 0.5 * dt, 10)
      expect(rig.get('velocity.x')).toBe(1)
      expect(rig.get('velocity.y')).toBe(0.5)
      expect(rig.get('acceleration.x')).toBe(0)
      expect(rig.get('acceleration.y')).toBe(0)
      x = nx
      y = ny
    }
    // One second at 100 Hz: (1.0, 0.5) m.
    expect(x).toBeCloseTo(1.0, 10)
    expect(y).toBeCloseTo(0.5, 10)
  })

  it('starts from initial_position', () => {
    const rig = build(pointMass, { initial_position: [10, -5], initial_velocity: [2, 0] }, 0.125)
    rig.stepN(4)
    expect(rig.get('position.x')).toBe(10 + 4 * 2 * 0.125)
    expect(rig.get('position.y')).toBe(-5)
  })

  it('damping reduces velocity geometrically: v ← v (1 - c dt / m)', () => {
    const dt = 0.01
    const m = 2
    const c = 0.5
    const v0 = 4
    const rig = build(pointMass, { mass: m, damping: c, initial_velocity: [v0, -v0] }, dt)
    let previous = v0
    const N = 500
    for (let n = 1; n <= N; n++) {
      rig.step()
      const v = rig.get('velocity.x')
      expect(v).toBeLessThan(previous)
      expect(v).toBeGreaterThan(0)
      expect(rig.get('acceleration.x')).toBeCloseTo((-c * previous) / m, 12)
      expect(rig.get('velocity.y')).toBeCloseTo(-v, 12)
      previous = v
    }
    expect(previous).toBeCloseTo(v0 * (1 - (c * dt) / m) ** N, 10)
    // And close to the continuous solution v0 e^{-ct/m}.
    expect(previous / (v0 * Math.exp((-c * N * dt) / m))).toBeCloseTo(1, 2)
    // Position approaches the continuous coasting distance v0 m / c from below.
    expect(rig.get('position.x')).toBeLessThan((v0 * m) / c)
    expect(rig.get('position.x')).toBeGreaterThan(0)
  })

  it('without damping, velocity is kept exactly', () => {
    const rig = build(pointMass, { initial_velocity: [0.3, -0.7] }, 0.001)
    rig.stepN(1000)
    expect(rig.get('velocity.x')).toBe(0.3)
    expect(rig.get('velocity.y')).toBe(-0.7)
  })

  it('gravity accelerates along its vector whatever the mass', () => {
    const dt = 0.01
    const g = -9.81
    for (const mass of [1, 50]) {
      const rig = build(pointMass, { mass, gravity: [0, g] }, dt)
      const N = 100
      rig.stepN(N)
      expect(rig.get('acceleration.y')).toBe(g)
      expect(rig.get('velocity.y')).toBeCloseTo(N * g * dt, 10)
      expect(rig.get('position.y')).toBeCloseTo((g * dt * dt * N * (N + 1)) / 2, 10)
      expect(rig.get('position.x')).toBe(0)
      expect(rig.get('velocity.x')).toBe(0)
    }
  })

  it('a force of m·g upwards balances gravity', () => {
    const m = 2
    const rig = build(pointMass, { mass: m, gravity: [0, -9.81] }, 0.01)
    rig.set('force.y', m * 9.81)
    rig.stepN(100)
    expect(rig.get('acceleration.y')).toBe(0)
    expect(rig.get('velocity.y')).toBe(0)
    expect(rig.get('position.y')).toBe(0)
  })

  it('3-D: gravity along z moves only z', () => {
    const dt = 0.125
    const rig = build(pointMass, { dimensions: 3, gravity: [0, 0, -8] }, dt)
    rig.stepN(4)
    expect(rig.get('velocity.z')).toBe(-8 * 4 * dt)
    expect(rig.get('position.z')).toBe((-8 * dt * dt * 4 * 5) / 2)
    expect(rig.get('position.x')).toBe(0)
    expect(rig.get('position.y')).toBe(0)
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('3-D: each axis follows its own force', () => {
    const dt = 1 / 32
    const rig = build(pointMass, { dimensions: 3, mass: 2 }, dt)
    rig.set('force.x', 1)
    rig.set('force.y', -2)
    rig.set('force.z', 4)
    const N = 10
    rig.stepN(N)
    for (const [axis, a] of [
      ['x', 0.5],
      ['y', -1],
      ['z', 2]
    ] as const) {
      expect(rig.get(`acceleration.${axis}`)).toBe(a)
      expect(rig.get(`velocity.${axis}`)).toBe(N * a * dt)
      expect(rig.get(`position.${axis}`)).toBe((a * dt * dt * N * (N + 1)) / 2)
    }
  })

  it('reacts to a force change on the next step', () => {
    const dt = 0.125
    const rig = build(pointMass, {}, dt)
    rig.set('force.x', 1)
    rig.step()
    expect(rig.get('velocity.x')).toBe(0.125)
    rig.set('force.x', -1)
    rig.step()
    expect(rig.get('velocity.x')).toBe(0)
    expect(rig.get('acceleration.x')).toBe(-1)
    expect(rig.get('position.x')).toBe(0.125 * 0.125)
  })

  it('stage restores the initial state (initial values into the slots)', () => {
    const rig = build(pointMass, { initial_velocity: [1, 0.5] }, 0.01)
    rig.set('force.x', 3)
    rig.stepN(10)
    rig.stage()
    rig.stepN(1)
    expect(rig.get('position.x')).toBeCloseTo(0.01, 12)
    expect(rig.get('velocity.x')).toBe(1)
  })

  describe('options', () => {
    it('rejects a vector with the wrong length, naming the option', () => {
      const velocity = parseFailure({ dimensions: 2, initial_velocity: [1, 2, 3] })
      expect(velocity.path).toBe('initial_velocity')
      expect(velocity.message).toContain('expected 2')
      expect(velocity.message).toContain('got 3')
      expect(velocity.pretty).toContain('initial_velocity')

      const position = parseFailure({ dimensions: 3, initial_position: [1, 2] })
      expect(position.path).toBe('initial_position')
      expect(position.message).toContain('expected 3')
      expect(position.pretty).toContain('initial_position')

      const gravity = parseFailure({ gravity: [0, 0, -9.81] })
      expect(gravity.path).toBe('gravity')
      expect(gravity.pretty).toContain('gravity')
    })

    it('reports every wrong vector, not just the first', () => {
      const result = pointMass.options.safeParse({ dimensions: 3, initial_position: [0], initial_velocity: [0, 0], gravity: [0, 0, 0, 0] })
      expect(result.success).toBe(false)
      expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['gravity', 'initial_position', 'initial_velocity'])
    })

    it('rejects a non-positive mass, negative damping, other dimensions and unknown keys', () => {
      expect(parseFailure({ mass: 0 }).path).toBe('mass')
      expect(parseFailure({ mass: -1 }).path).toBe('mass')
      expect(parseFailure({ damping: -0.1 }).path).toBe('damping')
      expect(parseFailure({ dimensions: 1 }).path).toBe('dimensions')
      expect(parseFailure({ dimensions: 4 }).path).toBe('dimensions')
      expect(pointMass.options.safeParse({ mas: 1 }).success).toBe(false)
    })

    it('accepts vectors of the right length', () => {
      expect(pointMass.options.safeParse({ dimensions: 3, initial_position: [1, 2, 3], initial_velocity: [0, 0, 0], gravity: [0, 0, -9.81] }).success).toBe(true)
    })
  })
})
