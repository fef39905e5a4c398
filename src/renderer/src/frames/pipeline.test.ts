import { beforeEach, describe, expect, it } from 'vitest'
import { flushCrossings, useAlarms } from '../limits/alarms'
import { telemetry } from '../telemetry/telemetry'
import type { SignalInfo } from '../tree/buildTree'
import { FramePipeline } from './pipeline'

const info = (name: string, extra: Partial<SignalInfo> = {}): SignalInfo => ({ name, module: name.split('.')[0]!, unit: '', writable: false, description: '', ...extra })
const signals = [info('v.x', { unit: 'm/s' }), info('v.y', { unit: 'm/s' }), info('p.x', { limits: { warn: [-1, 1], alarm: [-2, 2] } })]

describe('the frame pipeline', () => {
  beforeEach(() => useAlarms.getState().clear())

  it('computes derived signals per received frame into extra history columns', () => {
    const p = new FramePipeline()
    p.configure({ signals, derived: [{ name: 'speed', expression: 'hypot(v.x, v.y)', unit: 'm/s' }, { name: 'bad', expression: 'v.z', unit: '' }], limits: {} })
    const columns = p.columns(['v.x', 'v.y', 'p.x'])
    expect(columns).toEqual(['v.x', 'v.y', 'p.x', 'speed', 'bad'])
    telemetry.resubscribe(columns, 10)
    telemetry.clear()
    for (let f = 1; f <= 5; f++) telemetry.append(f / 10, p.process(f, f / 10, [3 * f, 4 * f, 0]))
    const h = telemetry.history
    expect(Array.from({ length: h.length }, (_, k) => h.valueAt(h.indexOf('speed'), k))).toEqual([5, 10, 15, 20, 25])
    expect(h.valueAt(h.indexOf('bad'), 0)).toBeNaN()
    expect(p.neededSignals().sort()).toEqual(['p.x', 'v.x', 'v.y'])
  })

  it('checks every frame, drawn or not, against the configuration’s limits or the console’s own', () => {
    const p = new FramePipeline()
    p.configure({ signals, derived: [{ name: 'speed', expression: 'hypot(v.x, v.y)', unit: 'm/s' }], limits: { speed: { alarm: [null, 10] } } })
    p.columns(['v.x', 'v.y', 'p.x'])
    // A spike of one frame between two quiet ones is still seen.
    p.process(1, 0.01, [0, 0, 0])
    p.process(2, 0.02, [30, 40, 1.5])
    p.process(3, 0.03, [0, 0, 0])
    flushCrossings()
    expect(useAlarms.getState().crossings.map((c) => `${c.signal} ${c.from}->${c.to} @${c.frame} ${c.value}`)).toEqual(['p.x 0->1 @2 1.5', 'speed 0->2 @2 50', 'p.x 1->0 @3 0', 'speed 2->0 @3 0'])
    // The console's limits replace the configuration's for that signal.
    p.configure({ signals, derived: [], limits: { 'p.x': { warn: [null, 100] } } })
    p.process(4, 0.04, [0, 0, 50])
    flushCrossings()
    expect(useAlarms.getState().crossings.length).toBe(4)
  })
})
