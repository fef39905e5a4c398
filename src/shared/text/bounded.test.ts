import { describe, expect, it } from 'vitest'
import { boundedText, escapeControl, previewValue, truncate } from './bounded'

function nested(depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

describe('bounded text', () => {
  it('previews small values whole, with their type', () => {
    expect(previewValue([1, 'a', null])).toBe('array [1,"a",null]')
    expect(previewValue({ a: 1 })).toBe('object {"a":1}')
    expect(previewValue('x')).toBe('string "x"')
    expect(previewValue(true)).toBe('boolean true')
    expect(previewValue(null)).toBe('null null')
  })

  it('previews a value nested 100,000 deep without recursion, cut at the bound', () => {
    const text = previewValue(nested(100_000), 40)
    expect(text.startsWith('array [[[[')).toBe(true)
    expect(text.endsWith('…')).toBe(true)
    expect(text.length).toBeLessThan(60)
  })

  it('previews a million-element array by looking at no more than it shows', () => {
    const big = new Array(1_000_000).fill(7)
    const text = previewValue(big, 30)
    expect(text.length).toBeLessThan(50)
    expect(text.endsWith('…')).toBe(true)
  })

  it('escapes control characters, so a message cannot forge a log line', () => {
    expect(escapeControl('a\nb\u001b[31m\u0000')).toBe('a\\nb\\u001b[31m\\u0000')
    expect(previewValue('line\nbreak')).toBe('string "line\\nbreak"')
  })

  it('truncates long text with a marker that says how much was cut', () => {
    expect(truncate('abcdef', 3)).toBe('abc… (3 more characters)')
    expect(truncate('abc', 3)).toBe('abc')
    const line = boundedText('x'.repeat(1_000_000), 100)
    expect(line.length).toBeLessThan(130)
    expect(line).toContain('(1000000 characters)')
    expect(boundedText('ok\tfine')).toBe('ok\\tfine')
  })
})
