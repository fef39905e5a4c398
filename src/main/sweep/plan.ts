// The runs of a sweep: index -> parameter values, the same in every process that computes it.
// Grids combine (the first parameter varies slowest), lists vary together, and each such point runs
// `samples` times; random draws depend on the seed and the run's index only, never on who runs it or when.
import { SeededRandom } from '../../shared/random'
import type { ConfigSet } from '../engine/config/override'
import type { Sweep } from './sweepFile'

export type ParameterValue = number | string | boolean

/** A 32-bit seed for run `index` of a sweep seeded `seed` (splitmix-style mixing: nearby indices give unrelated streams). */
export function runSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** The parameter values of run `index` (0 <= index < sweep.runs), in the sweep's parameter order. */
export function runParameters(sweep: Sweep, index: number): ParameterValue[] {
  if (!Number.isInteger(index) || index < 0 || index >= sweep.runs) throw new RangeError(`run index ${index} is outside 0 to ${sweep.runs - 1}`)
  let point = Math.floor(index / sweep.samples)
  const lists = sweep.parameters.find((p) => p.spec.kind === 'list')
  const listLength = lists && lists.spec.kind === 'list' ? lists.spec.values.length : 1
  const listIndex = point % listLength
  point = Math.floor(point / listLength)
  // Grid positions, the last grid parameter varying fastest.
  const gridIndex = new Map<number, number>()
  for (let i = sweep.parameters.length - 1; i >= 0; i--) {
    const spec = sweep.parameters[i]!.spec
    if (spec.kind !== 'grid') continue
    gridIndex.set(i, point % spec.values.length)
    point = Math.floor(point / spec.values.length)
  }
  const random = new SeededRandom(runSeed(sweep.seed, index))
  return sweep.parameters.map((p, i) => {
    const spec = p.spec
    switch (spec.kind) {
      case 'grid':
        return spec.values[gridIndex.get(i)!]!
      case 'list':
        return spec.values[listIndex]!
      case 'uniform':
        return spec.min + (spec.max - spec.min) * random.uniform()
      case 'normal':
        return spec.mean + spec.std * random.gaussian()
    }
  })
}

/** The --set overrides that make run `index` out of the base configuration. */
export function runSets(sweep: Sweep, index: number): ConfigSet[] {
  const values = runParameters(sweep, index)
  return sweep.parameters.map((p, i) => ({ path: p.path, value: values[i], text: `${p.name}=${String(values[i])}` }))
}
