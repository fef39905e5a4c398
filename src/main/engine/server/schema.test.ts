// The extended schema carries what the console's Topology panel draws: each module's step rate
// (sub-steps included) and each wire's gain and offset.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfigFile } from '../config/load'
import { buildSchema } from './schema'

const RUN = { runId: 'r', state: 'running' as const, frame: 0, timeNs: 0, fault: null }
const DEMO = join(__dirname, '..', '..', '..', '..', 'resources', 'examples', 'demo.yaml')

describe('the extended schema for the topology', () => {
  it('gives every module of the demo its rate, the sub-stepped vehicle 500 Hz, and every wire gain 1 and offset 0', () => {
    const { config } = loadConfigFile(DEMO)
    const schema = buildSchema(config, RUN)
    expect(Object.fromEntries(Object.entries(schema.modules).map(([name, m]) => [name, m.rate_hz]))).toEqual({
      target: 100,
      target_y: 100,
      disturbance: 100,
      pid_x: 100,
      pid_y: 100,
      thrust_x: 100,
      thrust_y: 100,
      vehicle: 500
    })
    expect(schema.wiring).toHaveLength(10)
    expect(schema.wiring!.every((w) => w.gain === 1 && w.offset === 0)).toBe(true)
  })

  it('carries a wire’s gain and offset as the configuration gives them, in the default schema too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-schema-'))
    const file = join(dir, 'gain.yaml')
    writeFileSync(
      file,
      `modules:
  a: { type: inproc, model: injection, signals: [{ name: x }] }
  b: { type: inproc, model: injection, signals: [{ name: y }] }
wiring:
  - { src: a.x, dst: b.y, gain: 2.5, offset: -0.5 }
`
    )
    const { config } = loadConfigFile(file)
    expect(buildSchema(config, RUN).wiring).toEqual([{ src: 'a.x', dst: 'b.y', gain: 2.5, offset: -0.5 }])
    expect(buildSchema(config, null).wiring).toEqual([{ src: 'a.x', dst: 'b.y', gain: 2.5, offset: -0.5 }])
    expect(buildSchema(config, RUN).modules.a!.rate_hz).toBeGreaterThan(0)
  })
})
