import { describe, expect, it } from 'vitest'
import type { SignalInfo } from '../../tree/buildTree'
import { DEFAULT_XY_OPTIONS, MAX_TRACES, readXyOptions, suggestTrace, traceSignals } from './options'

describe('XY panel options', () => {
  it('reads saved options, and no options as the defaults', () => {
    const saved = { traces: [{ x: 'vehicle.position.x', y: 'vehicle.position.y' }], window: 30, equalAspect: true }
    expect(readXyOptions(saved)).toEqual({ options: saved, errors: [] })
    expect(readXyOptions(undefined)).toEqual({ options: DEFAULT_XY_OPTIONS, errors: [] })
    expect(readXyOptions({ window: 'shared' }).options).toEqual({ ...DEFAULT_XY_OPTIONS, window: 'shared' })
  })

  it('names each bad key with where it is, and keeps the keys that are good', () => {
    const r = readXyOptions({ traces: [{ x: 'a', y: 'b' }], window: 0, equalAspect: 'yes' })
    expect(r.errors.some((e) => e.startsWith('options.window:'))).toBe(true)
    expect(r.errors.some((e) => e.startsWith('options.equalAspect:'))).toBe(true)
    expect(r.options).toEqual({ traces: [{ x: 'a', y: 'b' }], window: 'shared', equalAspect: false })
    const t = readXyOptions({ traces: [{ x: 'a' }] })
    expect(t.errors[0]).toMatch(/^options\.traces\[0\]\.y:/)
    expect(t.options.traces).toEqual([])
    expect(readXyOptions({ traces: Array.from({ length: MAX_TRACES + 1 }, () => ({ x: 'a', y: 'b' })) }).errors[0]).toMatch(/^options\.traces:/)
    expect(readXyOptions({ traces: [{ x: 'a', y: 'b', z: 'c' }] }).errors[0]).toMatch(/traces\[0\]/)
    expect(readXyOptions('nonsense')).toMatchObject({ options: DEFAULT_XY_OPTIONS })
    expect(readXyOptions('nonsense').errors).toHaveLength(1)
    expect(readXyOptions({ window: 10_000 }).errors[0]).toMatch(/^options\.window:/)
  })

  it('subscribes each signal of the traces once', () => {
    expect(traceSignals([{ x: 'a', y: 'b' }, { x: 'a', y: 'c' }, { x: 'd', y: 'b' }])).toEqual(['a', 'b', 'c', 'd'])
  })

  it('offers a position pair first, then another x/y pair, then the last X against the next signal', () => {
    const sig = (name: string): SignalInfo => ({ name, module: name.split('.')[0]!, unit: '', writable: false, description: '' })
    const signals = ['force.x', 'force.y', 'vehicle.position.x', 'vehicle.position.y', 'target.out'].map(sig)
    expect(suggestTrace([], signals)).toEqual({ x: 'vehicle.position.x', y: 'vehicle.position.y' })
    const one = [{ x: 'vehicle.position.x', y: 'vehicle.position.y' }]
    expect(suggestTrace(one, signals)).toEqual({ x: 'force.x', y: 'force.y' })
    const two = [...one, { x: 'force.x', y: 'force.y' }]
    expect(suggestTrace(two, signals)).toEqual({ x: 'force.x', y: 'vehicle.position.x' })
    expect(suggestTrace([], [])).toBeNull()
  })
})
