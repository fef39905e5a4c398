import { describe, expect, it } from 'vitest'
import { parseNumber } from './parseNumber'

const value = (t: string) => {
  const r = parseNumber(t)
  if (!r.ok) throw new Error(r.reason)
  return r.value
}
const reason = (t: string) => {
  const r = parseNumber(t)
  if (r.ok) throw new Error(`accepted ${r.value}`)
  return r.reason
}

describe('value box numbers', () => {
  it('accepts decimals, exponents and a leading sign', () => {
    expect(value('42')).toBe(42)
    expect(value(' -0.5 ')).toBe(-0.5)
    expect(value('+3')).toBe(3)
    expect(value('.25')).toBe(0.25)
    expect(value('5.')).toBe(5)
    expect(value('1.2e-3')).toBe(0.0012)
    expect(value('-1E3')).toBe(-1000)
    expect(value('0')).toBe(0)
    expect(value('0e5')).toBe(0)
  })

  it('refuses the rest with a reason', () => {
    expect(reason('')).toBe('enter a number')
    expect(reason('   ')).toBe('enter a number')
    expect(reason('0x10')).toContain('not a decimal number')
    expect(reason('0b101')).toContain('not a decimal number')
    expect(reason('1e400')).toContain('out of range')
    expect(reason('-1e400')).toContain('out of range')
    expect(reason('1e-400')).toContain('too small')
    expect(reason('Infinity')).toContain('not a number')
    expect(reason('NaN')).toContain('not a number')
    expect(reason('1,5')).toContain('not a number')
    expect(reason('12abc')).toContain('not a number')
    expect(reason('1e')).toContain('not a number')
  })
})
