import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../random'
import { expandPatterns } from './patterns'

/** Seed 000's rules written the obvious way (one pass over the names per pattern): the reference. */
function reference(patterns: readonly string[], names: readonly string[]): string[] {
  const result: string[] = []
  const take = (n: string): void => {
    if (!result.includes(n)) result.push(n)
  }
  for (const p of patterns) {
    if (p === '*') names.forEach(take)
    else if (p.endsWith('.*')) names.filter((n) => n.startsWith(p.slice(0, -1))).forEach(take)
    else if (names.includes(p)) take(p)
  }
  return result
}

const NAMES = ['vehicle.position.x', 'vehicle.position.y', 'vehicle.velocity.x', 'vehicle.velocity.y', 'controller.input', 'controller.gain', 'a..b', '.hidden', 'x']

describe('expandPatterns', () => {
  it('keeps seed 000 semantics: all, module, dotted prefix, exact, unknown dropped, first position wins', () => {
    expect(expandPatterns(['*'], NAMES)).toEqual(NAMES)
    expect(expandPatterns(['vehicle.*'], NAMES)).toEqual(NAMES.slice(0, 4))
    expect(expandPatterns(['vehicle.position.*'], NAMES)).toEqual(NAMES.slice(0, 2))
    expect(expandPatterns(['vehicle.velocity.y', 'vehicle.*', 'nope.x', 'vehicle.velocity.y'], NAMES)).toEqual([
      'vehicle.velocity.y',
      'vehicle.position.x',
      'vehicle.position.y',
      'vehicle.velocity.x'
    ])
    // "prefix.*" is a text prefix ending in a dot, not a glob: "vehic.*" and "vehicle.pos*" match nothing.
    expect(expandPatterns(['vehic.*', 'vehicle.pos*', 'vehicle', 'vehicle.'], NAMES)).toEqual([])
    expect(expandPatterns(['a..*', '.*', 'a.*'], NAMES)).toEqual(['a..b', '.hidden'])
    expect(expandPatterns([], NAMES)).toEqual([])
    expect(expandPatterns(['*'], [])).toEqual([])
  })

  it('matches the reference on seeded random names and patterns', () => {
    const random = new SeededRandom(14)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.uniform() * xs.length)]!
    const parts = ['a', 'b', 'c', 'ab', '', 'x1']
    for (let round = 0; round < 300; round++) {
      const names = [...new Set(Array.from({ length: 1 + Math.floor(random.uniform() * 12) }, () => Array.from({ length: 1 + Math.floor(random.uniform() * 4) }, () => pick(parts)).join('.')))]
      const patterns = Array.from({ length: Math.floor(random.uniform() * 8) }, () => {
        const r = random.uniform()
        if (r < 0.1) return '*'
        const base = pick(names).split('.')
        const cut = base.slice(0, Math.floor(random.uniform() * (base.length + 1))).join('.')
        return r < 0.6 ? `${cut}.*` : r < 0.9 ? pick(names) : `${cut}*`
      })
      expect(expandPatterns(patterns, names), JSON.stringify({ patterns, names })).toEqual(reference(patterns, names))
    }
  })

  it('answers 250,000 "*" and 70,000 distinct prefixes on 2,000 names with the same result as one of each', () => {
    // Behaviour, not time: the result is the one pattern's. (bench/ measures the time.)
    const names = Array.from({ length: 2000 }, (_, i) => `m${i % 40}.group${i % 7}.s${i}`)
    expect(expandPatterns(Array.from({ length: 250_000 }, () => '*'), names)).toEqual(names)
    const prefixes = Array.from({ length: 70_000 }, (_, i) => `m${i % 40}.group${i % 7}.*`)
    expect(expandPatterns(prefixes, names)).toEqual(reference([...new Set(prefixes)], names))
  })
})
