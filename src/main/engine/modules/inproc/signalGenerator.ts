// Signal generator: sine, square, triangle, sawtooth, step, ramp, seeded noise or a constant on `out`.
import { z } from 'zod'
import { defineModel } from './model'
import { SeededRandom } from '../../../../shared/random'

const WAVEFORMS = ['sine', 'square', 'triangle', 'sawtooth', 'step', 'ramp', 'noise', 'constant'] as const
type Waveform = (typeof WAVEFORMS)[number]

const options = z.strictObject({
  waveform: z.enum(WAVEFORMS).default('sine'),
  amplitude: z.number().default(1),
  frequency: z.number().nonnegative().default(1),
  offset: z.number().default(0),
  /** Radians, for the periodic waveforms. */
  phase: z.number().default(0),
  /** Seconds: when `step` jumps and `ramp` starts rising. */
  start_time: z.number().nonnegative().default(0),
  seed: z.number().int().default(1),
  unit: z.string().default('')
})

/** One period of each periodic shape, p in [0, 1), all starting at 0 and rising like sine. */
function periodic(waveform: Waveform, p: number): number {
  switch (waveform) {
    case 'sine':
      return Math.sin(2 * Math.PI * p)
    case 'square':
      return p < 0.5 ? 1 : -1
    case 'triangle':
      return p < 0.25 ? 4 * p : p < 0.75 ? 2 - 4 * p : 4 * p - 4
    case 'sawtooth':
      return p < 0.5 ? 2 * p : 2 * p - 2
    default:
      return 0
  }
}

export const signalGenerator = defineModel({
  description: 'Generates a waveform on `out` from the simulation time: deterministic and reset-safe.',
  options,
  signals: (o) => [{ name: 'out', unit: o.unit, description: `${o.waveform} generator output` }],
  create(ctx) {
    const o = ctx.options
    const out = ctx.slot('out')
    const v = ctx.values
    const random = new SeededRandom(o.seed)
    const cycles = o.phase / (2 * Math.PI)
    return {
      stage() {
        random.restart()
      },
      step(t) {
        const time = t.time
        let y: number
        switch (o.waveform) {
          case 'constant':
            y = o.offset
            break
          case 'step':
            y = o.offset + (time >= o.start_time ? o.amplitude : 0)
            break
          case 'ramp':
            y = o.offset + o.amplitude * Math.max(0, time - o.start_time)
            break
          case 'noise':
            y = o.offset + o.amplitude * random.gaussian()
            break
          default: {
            const cycle = o.frequency * time + cycles
            y = o.offset + o.amplitude * periodic(o.waveform, cycle - Math.floor(cycle))
          }
        }
        v[out] = y
      }
    }
  }
})
