import { describe, expect, it } from 'vitest'
import { HERMES_INPROC_MODULES, MODELS, findHermesModule, findModel } from './registry'
import { build } from './testRig'

const entries = Object.entries(MODELS)

describe('model registry', () => {
  it('lists the built-in models', () => {
    expect(Object.keys(MODELS).sort()).toEqual(['injection', 'mock_physics', 'pid', 'point_mass', 'signal_generator', 'sum'])
  })

  it.each(entries)('%s parses its default options and declares uniquely named signals', (_, model) => {
    const options = model.options.parse({})
    const signals = model.signals(options)
    const names = signals.map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/\S/)
    expect(model.description.length).toBeGreaterThan(0)
  })

  it.each(entries)('%s with default options steps to finite values and writes only its own slots', (_, model) => {
    const rig = build(model, {}, 0.01)
    rig.stepN(100)
    for (const s of rig.signals) expect(Number.isFinite(rig.get(s.name)), s.name).toBe(true)
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('findModel finds every registered model by name', () => {
    for (const [name, model] of entries) expect(findModel(name)).toBe(model)
  })

  it('findModel returns undefined for unknown names, including inherited object keys', () => {
    expect(findModel('pidd')).toBeUndefined()
    expect(findModel('')).toBeUndefined()
    expect(findModel('toString')).toBeUndefined()
    expect(findModel('__proto__')).toBeUndefined()
    expect(findModel('constructor')).toBeUndefined()
  })

  it("maps Hermes's inproc_module paths to registered models", () => {
    expect(findHermesModule('hermes.modules.injection')).toBe('injection')
    expect(findHermesModule('hermes.modules.mock_physics')).toBe('mock_physics')
    for (const model of Object.values(HERMES_INPROC_MODULES)) expect(findModel(model)).toBeDefined()
    expect(findHermesModule('hermes.modules.rocket')).toBeUndefined()
    expect(findHermesModule('toString')).toBeUndefined()
  })
})
