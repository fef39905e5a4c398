import { describe, expect, it } from 'vitest'
import { compileDerived, derivedErrors, nameProblem } from './derived'
import { compileExpression, describeError } from './expression'

const SIGNALS = new Set(['vehicle.velocity.x', 'vehicle.velocity.y', 'pid_x.error', 'target.out'])
const known = (n: string) => SIGNALS.has(n)

function run(text: string, values: Record<string, number>): number {
  const c = compileExpression(text, known)
  if (!c.ok) throw new Error(describeError(c))
  return c.evaluate(c.inputs.map((n) => values[n]!))
}

const fails = (text: string): string => {
  const c = compileExpression(text, known)
  if (c.ok) throw new Error(`compiled: ${text}`)
  return describeError(c)
}

describe('derived signal expressions', () => {
  it('take dotted signal names as variables and evaluate with the listed functions', () => {
    const v = { 'vehicle.velocity.x': 3, 'vehicle.velocity.y': 4, 'pid_x.error': -1.5 }
    expect(run('hypot(vehicle.velocity.x, vehicle.velocity.y)', v)).toBe(5)
    expect(run('pid_x.error * 2', v)).toBe(-3)
    expect(run('deg(atan2(vehicle.velocity.y, vehicle.velocity.x))', v)).toBeCloseTo((Math.atan2(4, 3) * 180) / Math.PI, 12)
    expect(run('vehicle.velocity.x > 2 ? 1 : -1', v)).toBe(1)
    expect(run('2 ^ 3 + -pid_x.error - rad(180) + pi', v)).toBeCloseTo(9.5, 12)
    expect(run('clamp(vehicle.velocity.y, 0, 1)', v)).toBe(1)
    const c = compileExpression('vehicle.velocity.x + vehicle.velocity.x * pid_x.error', known)
    expect(c.ok && c.inputs).toEqual(['vehicle.velocity.x', 'pid_x.error'])
  })

  it('refuses a bad expression with where it is wrong', () => {
    expect(fails('1 + * 2')).toBe('Expected expression after + (at column 5)')
    expect(fails('hypot(vehicle.velocity.x,')).toMatch(/\(at column 26\)$/)
    expect(fails('2 | 3')).toBe("the operator '|' is not supported (at column 3)")
    expect(fails('vehicle.velocity.x + vehicle.velocity.z')).toBe("unknown signal 'vehicle.velocity.z' (at column 22)")
    expect(fails('  nope * 2')).toBe("unknown signal 'nope' (at column 3)")
    expect(fails('sqrt(2) + frobnicate(1)')).toMatch(/^unknown function 'frobnicate'; known: .* \(at column 11\)$/)
    expect(fails('atan2(1)')).toBe('atan2 takes 2 arguments, not 1 (at column 1)')
    expect(fails('[1, 2]')).toMatch(/array is not allowed/)
    expect(fails('1; 2')).toMatch(/more than one expression/)
    expect(fails('"text"')).toMatch(/only numbers/)
    expect(fails('')).toBe('enter an expression')
  })

  it('offer nothing beyond numbers: no property access, no code', () => {
    expect(fails('target.out.constructor')).toMatch(/unknown signal 'target\.out\.constructor'/)
    expect(fails('target["out"]')).toMatch(/dot/)
    expect(fails('evaluate("1")')).toMatch(/unknown function 'evaluate'/)
    expect(fails('this')).toMatch(/not allowed|unknown signal/)
    expect(fails('target.out.toString()')).toMatch(/unknown function 'target\.out\.toString'/)
  })
})

describe('derived signal definitions', () => {
  it('may use derived signals defined before them, and report errors by name', () => {
    const defs = [
      { name: 'speed', expression: 'hypot(vehicle.velocity.x, vehicle.velocity.y)', unit: 'm/s' },
      { name: 'speed2', expression: 'speed * 2', unit: 'm/s' },
      { name: 'loop', expression: 'later + 1', unit: '' },
      { name: 'later', expression: '1', unit: '' }
    ]
    const compiled = compileDerived(defs, SIGNALS)
    expect(compiled.map((c) => c.compiled.ok)).toEqual([true, true, false, true])
    expect(derivedErrors(compiled)).toEqual({ loop: "unknown signal 'later' (at column 1)" })
    expect(compiled[0]!.signal.unit).toBe('m/s')
  })

  it('refuse names that are taken or not dotted identifiers', () => {
    expect(nameProblem('speed', SIGNALS, [])).toBeNull()
    expect(nameProblem('pid_x.error', SIGNALS, [])).toMatch(/signal of the run already/)
    expect(nameProblem('speed', SIGNALS, [{ name: 'speed', expression: '1', unit: '' }])).toMatch(/exists already/)
    expect(nameProblem('2fast', SIGNALS, [])).toMatch(/letters, digits/)
  })
})
