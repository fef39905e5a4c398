import { describe, expect, it } from 'vitest'
import { sum } from './sum'
import { build } from './testRig'

function issuePaths(raw: Record<string, unknown>): string[] {
  const result = sum.options.safeParse(raw)
  expect(result.success).toBe(false)
  return (result.error?.issues ?? []).map((i) => i.path.join('.'))
}

describe('sum', () => {
  it('defaults to inputs a and b (writable) and an output out', () => {
    const signals = sum.signals(sum.options.parse({ unit: 'N' }))
    expect(signals.map((s) => s.name)).toEqual(['a', 'b', 'out'])
    expect(signals.filter((s) => s.writable).map((s) => s.name)).toEqual(['a', 'b'])
    expect(signals.every((s) => s.unit === 'N')).toBe(true)
  })

  it('by default out = a + b', () => {
    const rig = build(sum, {}, 0.01)
    for (const [a, b] of [
      [1, 2],
      [-3.5, 0.25],
      [0, 0],
      [1e6, -1e6]
    ] as const) {
      rig.set('a', a)
      rig.set('b', b)
      rig.step()
      expect(rig.get('out')).toBe(a + b)
    }
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('out = bias + Σ gain_i · in_i', () => {
    const gains = [2, -1, 0.5, 0]
    const bias = 3
    const rig = build(sum, { inputs: ['x', 'y', 'z', 'w'], gains, bias }, 0.01)
    expect(rig.signals.map((s) => s.name)).toEqual(['x', 'y', 'z', 'w', 'out'])
    const cases = [
      [1, 1, 1, 1],
      [4, -2, 8, 1000],
      [0.1, 0.2, 0.3, 0.4],
      [0, 0, 0, 0]
    ]
    for (const inputs of cases) {
      ;['x', 'y', 'z', 'w'].forEach((name, i) => rig.set(name, inputs[i]!))
      rig.step()
      const expected = bias + 2 * inputs[0]! - inputs[1]! + 0.5 * inputs[2]! + 0 * inputs[3]!
      expect(rig.get('out')).toBeCloseTo(expected, 12)
    }
    // Inputs all zero: just the bias.
    expect(rig.get('out')).toBe(3)
  })

  it('a single input with a gain scales it', () => {
    const rig = build(sum, { inputs: ['u'], gains: [-4] }, 0.01)
    rig.set('u', 2.5)
    rig.step()
    expect(rig.get('out')).toBe(-10)
  })

  it('follows its inputs step by step, and leaves the inputs alone', () => {
    const rig = build(sum, { bias: -1 }, 0.01)
    for (let k = 0; k < 10; k++) {
      rig.set('a', k)
      rig.set('b', 2 * k)
      rig.step()
      expect(rig.get('out')).toBe(-1 + 3 * k)
      expect(rig.get('a')).toBe(k)
      expect(rig.get('b')).toBe(2 * k)
    }
  })

  describe('options', () => {
    it('gains of the wrong length fail to parse, naming gains', () => {
      expect(issuePaths({ gains: [1] })).toEqual(['gains'])
      expect(issuePaths({ inputs: ['a', 'b', 'c'], gains: [1, 2, 3, 4] })).toEqual(['gains'])
      const result = sum.options.safeParse({ gains: [1, 2, 3] })
      expect(result.error?.issues[0]?.message).toContain('expected 2 gains')
      expect(sum.options.safeParse({ inputs: ['a', 'b', 'c'], gains: [1, 2, 3] }).success).toBe(true)
    })

    it("an input named 'out' fails to parse", () => {
      expect(issuePaths({ inputs: ['a', 'out'] })).toEqual(['inputs'])
      expect(sum.options.safeParse({ inputs: ['out'] }).error?.issues[0]?.message).toContain("'out'")
    })

    it('duplicate, empty or missing inputs fail to parse', () => {
      expect(issuePaths({ inputs: ['a', 'a'] })).toEqual(['inputs'])
      expect(sum.options.safeParse({ inputs: [] }).success).toBe(false)
      expect(sum.options.safeParse({ inputs: [''] }).success).toBe(false)
      expect(sum.options.safeParse({ biass: 1 }).success).toBe(false)
    })
  })
})
