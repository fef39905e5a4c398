// A signal's `limits` key: read from the YAML (also on a model's signals), refused with line and column,
// and sent in the extended schema only.
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { HermesClient } from '../../../shared/client/hermesClient'
import { startEngine, type Engine } from '../server/testing'
import { parseConfig } from './load'
import { configError } from './testing'

const parse = (text: string) => parseConfig(text, 'test.yaml', { checkFiles: false })
const errorsOf = (text: string): string[] => configError(() => parse(text)).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)

const YAML = `
modules:
  vehicle:
    type: inproc
    model: point_mass
    options: { dimensions: 2 }
    signals:
      - { name: position.x, limits: { warn: [-3, 3], alarm: [-5, 5] } }
      - { name: position.y, limits: { alarm: [null, 2] } }
  knob:
    type: inproc
    model: injection
    signals:
      - { name: level, limits: { warn: [0, null] } }
      - { name: plain }
`

const signal = (config: ReturnType<typeof parse>['config'], name: string) => config.modules.flatMap((m) => m.signals).find((s) => s.qualified === name)

let engine: Engine | null = null
afterEach(async () => {
  await engine?.stop()
  engine = null
})

describe('signal limits in the YAML', () => {
  it('are read on model signals and on the YAML’s own, with open bounds', () => {
    const { config } = parse(YAML)
    expect(signal(config, 'vehicle.position.x')?.limits).toEqual({ warn: [-3, 3], alarm: [-5, 5] })
    expect(signal(config, 'vehicle.position.y')?.limits).toEqual({ alarm: [null, 2] })
    expect(signal(config, 'knob.level')?.limits).toEqual({ warn: [0, null] })
    // No limits key: no field at all, so such a signal is what it was before limits existed.
    expect(signal(config, 'knob.plain')).not.toHaveProperty('limits')
    expect(signal(config, 'vehicle.velocity.x')).not.toHaveProperty('limits')
  })

  it('are refused with the line, column and reason when malformed', () => {
    const bad = (limits: string) => errorsOf(`modules:\n  knob:\n    type: inproc\n    model: injection\n    signals:\n      - { name: level, limits: ${limits} }\n`)
    expect(bad('{ warn: [3, 1] }')[0]).toBe('6:40 modules.knob.signals[0].limits.warn: expected [lo, hi] with lo <= hi')
    expect(bad('{ warn: [1] }')[0]).toMatch(/^6:40 modules\.knob\.signals\[0\]\.limits\.warn: /)
    expect(bad('{ alarm: [0, "high"] }')[0]).toMatch(/^6:\d+ modules\.knob\.signals\[0\]\.limits\.alarm\[1\]: /)
    expect(bad('{ alarm: [0, .inf] }')[0]).toMatch(/^6:\d+ modules\.knob\.signals\[0\]\.limits\.alarm\[1\]: expected (a finite )?number/)
    // An unknown key inside limits is a warning at the key, as everywhere in a configuration, with a suggestion.
    const typo = parse(`modules:\n  knob:\n    type: inproc\n    model: injection\n    signals:\n      - { name: level, limits: { wran: [0, 1] } }\n`)
    expect(typo.warnings.map((w) => `${w.line}:${w.column} ${w.path}: ${w.message}`)).toEqual([expect.stringMatching(/^6:34 modules\.knob\.signals\[0\]\.limits\.wran: unknown key 'wran' is ignored.*warn/)])
    expect(bad('[0, 1]')[0]).toMatch(/^6:\d+ modules\.knob\.signals\[0\]\.limits: /)
  })

  it('reach clients that said hello in the schema, and only those', async () => {
    engine = await startEngine(`${YAML}execution: { mode: single_frame }\n`)
    const extended = await HermesClient.connect(engine.url, { WebSocket: WebSocket as never })
    const plain = await HermesClient.connect(engine.url, { WebSocket: WebSocket as never, hello: false })
    try {
      // connect resolves once the extended schema is in.
      expect(extended.schema.run_id).toBeDefined()
      const x = extended.schema.modules.vehicle!.signals.find((s) => s.name === 'position.x')
      expect(x?.limits).toEqual({ warn: [-3, 3], alarm: [-5, 5] })
      expect(extended.schema.modules.knob!.signals.find((s) => s.name === 'plain')).not.toHaveProperty('limits')
      for (const m of Object.values(plain.schema.modules)) for (const s of m.signals) expect(s).not.toHaveProperty('limits')
    } finally {
      extended.close()
      plain.close()
    }
  })
})
