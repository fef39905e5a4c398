import { describe, expect, it } from 'vitest'
import { signalGenerator } from './signalGenerator'
import { build } from './testRig'

// dt = 1/8 s and period 1 s: every quarter period falls exactly on a frame, with exact binary times.
const DT = 0.125

/** Output at each of the first `frames` frames. */
function run(raw: Record<string, unknown>, frames: number, dt = DT): number[] {
  const rig = build(signalGenerator, raw, dt)
  const out: number[] = []
  for (let k = 0; k < frames; k++) {
    rig.step()
    out.push(rig.get('out'))
  }
  expect(rig.foreignSlotsUntouched()).toBe(true)
  return out
}

function expectClose(actual: number[], expected: number[], digits = 12): void {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((a, i) => expect(a, `sample ${i}`).toBeCloseTo(expected[i]!, digits))
}

describe('signal_generator', () => {
  it('declares one output named out, with the configured unit', () => {
    const options = signalGenerator.options.parse({ unit: 'V' })
    expect(signalGenerator.signals(options).map((s) => [s.name, s.unit])).toEqual([['out', 'V']])
  })

  it('defaults to a unit sine at 1 Hz', () => {
    const o = signalGenerator.options.parse({})
    expect(o).toMatchObject({ waveform: 'sine', amplitude: 1, frequency: 1, offset: 0, phase: 0, start_time: 0 })
  })

  describe('periodic waveforms at quarter periods (1 Hz, frames at t = 0, 1/8, 2/8, ...)', () => {
    it('sine: 0, peak, 0, trough, and in between sin(2πft)', () => {
      const out = run({ waveform: 'sine' }, 9)
      const expected = Array.from({ length: 9 }, (_, k) => Math.sin(2 * Math.PI * k * DT))
      expectClose(out, expected)
      // Quarter periods explicitly.
      expect(out[0]).toBe(0)
      expect(out[2]).toBeCloseTo(1, 12)
      expect(out[4]).toBeCloseTo(0, 12)
      expect(out[6]).toBeCloseTo(-1, 12)
      expect(out[8]).toBeCloseTo(0, 12)
    })

    it('square: +1 during the first half period, -1 during the second', () => {
      const out = run({ waveform: 'square' }, 16)
      // t = 0, 1/8, 2/8, 3/8 -> +1; 4/8 .. 7/8 -> -1; then repeats.
      expect(out).toEqual([1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1])
    })

    it('triangle: 0, +1, 0, -1 at quarter periods, linear in between', () => {
      const out = run({ waveform: 'triangle' }, 9)
      expect(out).toEqual([0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5, 0])
    })

    it('sawtooth: rises from 0 through +1 at half period, drops to -1 and rises back to 0', () => {
      const out = run({ waveform: 'sawtooth' }, 9)
      // 2ft for the first half period, 2ft - 2 for the second.
      expect(out).toEqual([0, 0.25, 0.5, 0.75, -1, -0.75, -0.5, -0.25, 0])
    })
  })

  it('amplitude scales and offset shifts every waveform', () => {
    for (const waveform of ['sine', 'square', 'triangle', 'sawtooth'] as const) {
      const base = run({ waveform }, 12)
      const scaled = run({ waveform, amplitude: 2.5, offset: -3 }, 12)
      expectClose(
        scaled,
        base.map((y) => -3 + 2.5 * y)
      )
    }
    const out = run({ waveform: 'sine', amplitude: 2, offset: 1 }, 8)
    expectClose([out[0]!, out[2]!, out[4]!, out[6]!], [1, 3, 1, -1])
  })

  it('frequency sets the period', () => {
    // 2 Hz: period 0.5 s, so the sine peaks at t = 1/8 and bottoms at 3/8.
    const out = run({ waveform: 'sine', frequency: 2 }, 5)
    expectClose(out, [0, 1, 0, -1, 0])
    // 0.25 Hz: period 4 s, peak at t = 1 s (frame 8).
    const slow = run({ waveform: 'sine', frequency: 0.25 }, 17)
    expectClose(
      slow,
      slow.map((_, k) => Math.sin(2 * Math.PI * 0.25 * k * DT))
    )
    expect(slow[8]).toBeCloseTo(1, 12)
    // 0.5 Hz triangle: period 2 s, peak at 0.5 s.
    expect(run({ waveform: 'triangle', frequency: 0.5 }, 5)).toEqual([0, 0.25, 0.5, 0.75, 1])
  })

  it('frequency 0 holds the value at the phase', () => {
    const out = run({ waveform: 'sine', frequency: 0, phase: Math.PI / 6, amplitude: 4 }, 5)
    expectClose(out, [2, 2, 2, 2, 2])
  })

  it('phase shifts the waveform by phase / 2π of a period', () => {
    // Sine with +π/2 is cosine.
    const cos = run({ waveform: 'sine', phase: Math.PI / 2 }, 9)
    expectClose(
      cos,
      cos.map((_, k) => Math.cos(2 * Math.PI * k * DT))
    )
    expect(cos[0]).toBeCloseTo(1, 12)
    // Square with +π starts in its negative half.
    expect(run({ waveform: 'square', phase: Math.PI }, 8).map((y, k) => (k === 0 || k === 4 ? null : y))).toEqual([null, -1, -1, -1, null, 1, 1, 1])
    // Triangle with +π/2 (a quarter period) starts at its peak.
    expectClose(run({ waveform: 'triangle', phase: Math.PI / 2 }, 5), [1, 0.5, 0, -0.5, -1])
    // A negative phase shifts the other way: triangle at -π/2 starts at its trough.
    expectClose(run({ waveform: 'triangle', phase: -Math.PI / 2 }, 5), [-1, -0.5, 0, 0.5, 1])
  })

  it('is periodic over many periods', () => {
    const frames = 8 * 50 + 3
    const out = run({ waveform: 'sine', amplitude: 1.5 }, frames)
    expect(out[frames - 1]).toBeCloseTo(out[2]!, 9)
    expect(out[frames - 1]).toBeCloseTo(1.5, 9)
  })

  it('step: offset before start_time, offset + amplitude from exactly start_time on', () => {
    const out = run({ waveform: 'step', start_time: 0.5, amplitude: 3, offset: -1 }, 8)
    // Frames 0..3 are t = 0 .. 0.375 < 0.5; frame 4 is t = 0.5 exactly.
    expect(out).toEqual([-1, -1, -1, -1, 2, 2, 2, 2])
  })

  it('step with start_time 0 is on from the first frame', () => {
    expect(run({ waveform: 'step', amplitude: 2 }, 3)).toEqual([2, 2, 2])
  })

  it('ramp: flat at offset until start_time, then rises at amplitude per second', () => {
    const dt = 0.01
    const rig = build(signalGenerator, { waveform: 'ramp', start_time: 1, amplitude: 3, offset: 0.5 }, dt)
    const samples: Array<[number, number]> = []
    for (let k = 0; k < 300; k++) {
      const t = rig.time.time
      rig.step()
      samples.push([t, rig.get('out')])
    }
    for (const [t, y] of samples) {
      if (t <= 1) expect(y).toBe(0.5)
      else expect(y).toBeCloseTo(0.5 + 3 * (t - 1), 9)
    }
    // Slope between successive frames after the start: amplitude * dt.
    const [t1, y1] = samples[250]!
    const [t2, y2] = samples[251]!
    expect((y2 - y1) / (t2 - t1)).toBeCloseTo(3, 6)
    expect(samples[299]![1]).toBeCloseTo(0.5 + 3 * 1.99, 9)
  })

  it('constant: offset at every time, whatever the amplitude', () => {
    expect(run({ waveform: 'constant', offset: 4.25, amplitude: 99, frequency: 3 }, 10)).toEqual(Array(10).fill(4.25))
  })

  describe('noise', () => {
    it('same seed gives the same sequence', () => {
      const a = run({ waveform: 'noise', seed: 42 }, 200)
      const b = run({ waveform: 'noise', seed: 42 }, 200)
      expect(a).toEqual(b)
      // And it is not a constant.
      expect(new Set(a).size).toBeGreaterThan(190)
    })

    it('different seeds give different sequences', () => {
      const a = run({ waveform: 'noise', seed: 1 }, 200)
      const b = run({ waveform: 'noise', seed: 2 }, 200)
      expect(a).not.toEqual(b)
      const same = a.filter((y, i) => y === b[i]).length
      expect(same).toBeLessThan(5)
    })

    it('has mean ≈ offset and standard deviation ≈ amplitude over 10k samples', () => {
      const n = 10_000
      for (const [amplitude, offset, seed] of [
        [1, 0, 1],
        [2.5, 0, 7],
        [0.5, 10, 123]
      ] as const) {
        const out = run({ waveform: 'noise', amplitude, offset, seed }, n)
        const mean = out.reduce((s, y) => s + y, 0) / n
        const variance = out.reduce((s, y) => s + (y - mean) ** 2, 0) / (n - 1)
        // Standard error of the mean is amplitude/100: allow 5 of them.
        expect(Math.abs(mean - offset)).toBeLessThan(0.05 * amplitude)
        expect(Math.sqrt(variance)).toBeGreaterThan(0.9 * amplitude)
        expect(Math.sqrt(variance)).toBeLessThan(1.1 * amplitude)
        // Roughly Gaussian: about 68% within one standard deviation, almost all within four.
        const within1 = out.filter((y) => Math.abs(y - offset) < amplitude).length / n
        expect(within1).toBeGreaterThan(0.64)
        expect(within1).toBeLessThan(0.72)
        expect(out.every((y) => Number.isFinite(y) && Math.abs(y - offset) < 6 * amplitude)).toBe(true)
      }
    })

    it('stage() restarts the sequence', () => {
      const rig = build(signalGenerator, { waveform: 'noise', seed: 9 }, DT)
      const first: number[] = []
      for (let k = 0; k < 50; k++) {
        rig.step()
        first.push(rig.get('out'))
      }
      rig.stage()
      const second: number[] = []
      for (let k = 0; k < 50; k++) {
        rig.step()
        second.push(rig.get('out'))
      }
      expect(second).toEqual(first)
      // And matches a fresh instance with the same seed.
      expect(run({ waveform: 'noise', seed: 9 }, 50)).toEqual(first)
    })
  })

  it('is a function of time only: restaging replays the periodic waveforms too', () => {
    const rig = build(signalGenerator, { waveform: 'sine', frequency: 0.7, phase: 0.3 }, 0.01)
    const first: number[] = []
    for (let k = 0; k < 30; k++) {
      rig.step()
      first.push(rig.get('out'))
    }
    rig.stage()
    const second: number[] = []
    for (let k = 0; k < 30; k++) {
      rig.step()
      second.push(rig.get('out'))
    }
    expect(second).toEqual(first)
  })

  it('rejects unknown waveforms, negative frequency and negative start_time', () => {
    expect(signalGenerator.options.safeParse({ waveform: 'chirp' }).success).toBe(false)
    expect(signalGenerator.options.safeParse({ frequency: -1 }).success).toBe(false)
    expect(signalGenerator.options.safeParse({ start_time: -0.5 }).success).toBe(false)
    expect(signalGenerator.options.safeParse({ seed: 1.5 }).success).toBe(false)
    expect(signalGenerator.options.safeParse({ amplitud: 1 }).success).toBe(false)
  })
})
