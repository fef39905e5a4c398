import { describe, expect, it } from 'vitest'
import { SeededRandom } from './random'

function uniforms(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.uniform())
}

function gaussians(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.gaussian())
}

describe('SeededRandom', () => {
  it('is deterministic: the same seed gives the same sequence', () => {
    expect(uniforms(new SeededRandom(42), 1000)).toEqual(uniforms(new SeededRandom(42), 1000))
    expect(gaussians(new SeededRandom(-7), 1000)).toEqual(gaussians(new SeededRandom(-7), 1000))
  })

  it('different seeds give different sequences', () => {
    const seeds = [0, 1, 2, 3, 42, 0xffffffff, 123456789]
    const firsts = seeds.map((s) => uniforms(new SeededRandom(s), 20))
    for (let i = 0; i < seeds.length; i++) {
      for (let j = i + 1; j < seeds.length; j++) {
        const same = firsts[i]!.filter((u, k) => u === firsts[j]![k]).length
        expect(same, `seeds ${seeds[i]} and ${seeds[j]}`).toBe(0)
      }
    }
  })

  it('restart() replays the sequence from the beginning', () => {
    const random = new SeededRandom(2024)
    const first = uniforms(random, 500)
    random.restart()
    expect(uniforms(random, 500)).toEqual(first)
    random.restart()
    const g = gaussians(random, 200)
    random.restart()
    expect(gaussians(random, 200)).toEqual(g)
  })

  it('restart() mid-sequence goes back to the seed, not to some later point', () => {
    const random = new SeededRandom(5)
    const first = uniforms(random, 10)
    uniforms(random, 37)
    random.restart()
    expect(uniforms(random, 10)).toEqual(first)
  })

  it('uniform() lies in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12', () => {
    const n = 10_000
    const u = uniforms(new SeededRandom(1), n)
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true)
    const mean = u.reduce((s, x) => s + x, 0) / n
    const variance = u.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015)
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.005)
    // Every tenth of [0, 1) gets roughly its share.
    const bins = new Array<number>(10).fill(0)
    for (const x of u) bins[Math.floor(x * 10)]!++
    for (const count of bins) {
      expect(count).toBeGreaterThan(850)
      expect(count).toBeLessThan(1150)
    }
  })

  it('gaussian() is a standard normal: mean ≈ 0, standard deviation ≈ 1', () => {
    const n = 10_000
    const g = gaussians(new SeededRandom(3), n)
    expect(g.every(Number.isFinite)).toBe(true)
    const mean = g.reduce((s, x) => s + x, 0) / n
    const sd = Math.sqrt(g.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1))
    expect(Math.abs(mean)).toBeLessThan(0.05)
    expect(sd).toBeGreaterThan(0.95)
    expect(sd).toBeLessThan(1.05)
  })

  it('gaussian() uses exactly two uniforms per sample', () => {
    const a = new SeededRandom(11)
    const b = new SeededRandom(11)
    a.gaussian()
    b.uniform()
    b.uniform()
    expect(a.uniform()).toBe(b.uniform())
  })
})
