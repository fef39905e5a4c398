import { describe, expect, it } from 'vitest'
import { mockPhysics } from './mockPhysics'
import { build } from './testRig'

describe('mock_physics', () => {
  it("has Hermes's three signals, only the input writable", () => {
    const signals = mockPhysics.signals(mockPhysics.options.parse({}))
    expect(signals.map((s) => [s.name, s.writable ?? false])).toEqual([
      ['input', true],
      ['output', false],
      ['state', false]
    ])
  })

  it('updates state first (state += input * dt), then output = input * 2 + state', () => {
    const rig = build(mockPhysics, {}, 0.001)
    rig.set('input', 10)
    let state = 0
    for (let k = 1; k <= 7; k++) {
      rig.step()
      state += 10 * 0.001
      expect(rig.get('state')).toBe(state)
      expect(rig.get('output')).toBe(10 * 2 + state)
    }
    // A negative input integrates back down.
    rig.set('input', -4)
    rig.step()
    state += -4 * 0.001
    expect(rig.get('state')).toBe(state)
    expect(rig.get('output')).toBe(-8 + state)
    expect(rig.foreignSlotsUntouched()).toBe(true)
  })

  it('keeps state itself: writing the state slot does not change what it integrates', () => {
    const rig = build(mockPhysics, {}, 0.5)
    rig.set('input', 2)
    rig.step()
    expect(rig.get('state')).toBe(1)
    rig.set('state', 100)
    rig.step()
    expect(rig.get('state')).toBe(2)
    expect(rig.get('output')).toBe(6)
  })

  it('stage and reset start from the state slot’s initial value (zero by default)', () => {
    const rig = build(mockPhysics, {}, 0.5)
    rig.set('input', 2)
    rig.stepN(3)
    expect(rig.get('state')).toBe(3)
    rig.stage()
    expect(rig.get('state')).toBe(0)
    rig.set('input', 2)
    rig.step()
    expect(rig.get('state')).toBe(1)
  })

  it('takes no options', () => {
    expect(mockPhysics.options.safeParse({ gain: 2 }).success).toBe(false)
  })
})
