// Configurations the benchmarks run: the shipped demo and generated synthetic ones.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig, type ConfigOverrides } from '../src/main/engine/config/load'
import type { ResolvedConfig } from '../src/main/engine/config/types'

export const EXAMPLES = join(__dirname, '..', 'resources', 'examples')

export function example(name: string, overrides: ConfigOverrides): ResolvedConfig {
  const file = join(EXAMPLES, name)
  return parseConfig(readFileSync(file, 'utf8'), file, { overrides }).config
}

/** `modules` sum modules of `inputs` inputs each (inputs + 1 signals), and `wires` wires between them. */
export function synthetic(modules: number, inputs: number, wires: number, overrides: ConfigOverrides): ResolvedConfig {
  const names = Array.from({ length: inputs }, (_, i) => `in${i}`)
  const lines = ['modules:']
  for (let m = 0; m < modules; m++) lines.push(`  m${m}: { type: inproc, model: sum, options: { inputs: [${names.join(', ')}], bias: ${m} } }`)
  lines.push('wiring:')
  for (let w = 0; w < wires; w++) {
    const dst = w % modules
    const input = Math.floor(w / modules) % inputs
    const src = (w * 7 + 1) % modules
    lines.push(`  - { src: m${src}.out, dst: m${dst}.in${input}, gain: 0.5 }`)
  }
  return parseConfig(lines.join('\n'), 'synthetic.yaml', { overrides }).config
}
