import { describe, expect, it } from 'vitest'
import { injection } from './injection'
import { build } from './testRig'

describe('injection', () => {
  it('has no default signals', () => {
    expect(injection.signals(injection.options.parse({}))).toEqual([])
  })

  it('accepts any YAML signal, writable by default', () => {
    expect(injection.freeSignals).toEqual({ writable: true })
  })

  it('takes no options', () => {
    expect(injection.options.safeParse({}).success).toBe(true)
    expect(injection.options.safeParse({ value: 1 }).success).toBe(false)
  })

  it('step leaves every value untouched', () => {
    const rig = build(injection, {}, 0.01, ['thrust', 'mode', 'wind.x'])
    rig.set('thrust', 12.5)
    rig.set('mode', 3)
    rig.set('wind.x', -0.75)
    const before = Float64Array.from(rig.values)
    rig.stepN(100)
    expect(Array.from(rig.values)).toEqual(Array.from(before))
    // A value written between steps is held as written.
    rig.set('thrust', 99)
    rig.stepN(3)
    expect(rig.get('thrust')).toBe(99)
    expect(rig.get('mode')).toBe(3)
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('stage and reset, if any, do not write values (the scheduler restores the initials)', () => {
    const rig = build(injection, {}, 0.01, ['a'])
    rig.set('a', 5)
    const before = Float64Array.from(rig.values)
    rig.instance.stage?.()
    rig.instance.reset?.()
    expect(Array.from(rig.values)).toEqual(Array.from(before))
  })
})
