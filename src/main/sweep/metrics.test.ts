// Metric specs as written, and the accumulator's statistics and crossings over known frames.
import { describe, expect, it } from 'vitest'
import { compileMetrics, MetricAccumulator, parseMetric, parseNamedMetric } from './metrics'

describe('metric specs', () => {
  it('reads every form', () => {
    expect(parseMetric('a', 'max_abs(vehicle.position.x)')).toEqual({ name: 'a', kind: 'stat', stat: 'max_abs', signal: 'vehicle.position.x' })
    expect(parseMetric('b', ' crossing( v.x , -2.5, falling ) ')).toEqual({ name: 'b', kind: 'crossing', signal: 'v.x', value: -2.5, direction: 'falling' })
    expect(parseMetric('c', 'crossing(v.x, 3)')).toMatchObject({ direction: 'any', value: 3 })
    expect(parseMetric('d', 'faults()')).toEqual({ name: 'd', kind: 'faults' })
    expect(parseNamedMetric('peak=max(v.x)')).toMatchObject({ name: 'peak', stat: 'max' })
    expect(parseNamedMetric('rms(v.x)')).toMatchObject({ name: 'rms(v.x)', stat: 'rms' })
  })

  it('refuses what it cannot read, saying what was expected', () => {
    expect(() => parseMetric('m', 'max v.x')).toThrow('expected final|min|max|mean|rms|max_abs(signal)')
    expect(() => parseMetric('m', 'median(v.x)')).toThrow("unknown metric 'median'")
    expect(() => parseMetric('m', 'max(x)')).toThrow("needs a signal as 'module.signal'")
    expect(() => parseMetric('m', 'max(v.x, v.y)')).toThrow('takes one signal')
    expect(() => parseMetric('m', 'crossing(v.x)')).toThrow('takes a signal, a value')
    expect(() => parseMetric('m', 'crossing(v.x, high)')).toThrow('finite number')
    expect(() => parseMetric('m', 'crossing(v.x, 1, up)')).toThrow('rising or falling')
    expect(() => parseMetric('m', 'faults(v.x)')).toThrow('takes no argument')
  })

  it('names an unknown signal', () => {
    expect(() => compileMetrics([parseMetric('m', 'max(v.y)')], () => undefined)).toThrow("metric 'm': no signal 'v.y'")
  })
})

describe('metric accumulator', () => {
  const specs = ['final(v.x)', 'min(v.x)', 'max(v.x)', 'mean(v.x)', 'rms(v.x)', 'max_abs(v.x)', 'crossing(v.x, 1.5)', 'crossing(v.x, 0, falling)', 'crossing(v.x, 9)', 'faults()', 'max(v.y)']
  const compiled = compileMetrics(
    specs.map((s) => parseNamedMetric(s)),
    (name) => ({ 'v.x': 3, 'v.y': 0 })[name]
  )
  /** Slot 3 takes the given value at each frame end, 0.1 s apart; slot 0 is constant 7. */
  const run = (xs: number[]): (number | null)[] => {
    const acc = new MetricAccumulator(compiled)
    const values = new Float64Array(4)
    values[0] = 7
    values[3] = 0.5
    acc.begin(values)
    xs.forEach((x, i) => {
      values[3] = x
      acc.observe(values, (i + 1) * 0.1)
    })
    return acc.results(2)
  }

  it('computes statistics over frame ends and interpolates crossings', () => {
    const r = run([1, 2, -2, 0.5])
    expect(r[0]).toBe(0.5)
    expect(r[1]).toBe(-2)
    expect(r[2]).toBe(2)
    expect(r[3]).toBe((1 + 2 - 2 + 0.5) / 4)
    expect(r[4]).toBe(Math.sqrt((1 + 4 + 4 + 0.25) / 4))
    expect(r[5]).toBe(2)
    // 1 -> 2 between 0.1 s and 0.2 s: 1.5 halfway.
    expect(r[6]).toBeCloseTo(0.15, 12)
    // 2 -> -2 between 0.2 s and 0.3 s: 0 halfway, falling.
    expect(r[7]).toBeCloseTo(0.25, 12)
    expect(r[8]).toBeNull()
    expect(r[9]).toBe(2)
    expect(r[10]).toBe(7)
  })

  it('has no statistics without frames, and NaN makes them NaN without faking a crossing', () => {
    expect(run([]).slice(0, 6)).toEqual([null, null, null, null, null, null])
    const r = run([1, NaN, 1])
    expect(r[1]).toBeNaN()
    expect(r[3]).toBeNaN()
    expect(r[0]).toBe(1)
    expect(r[6]).toBeNull()
  })
})
