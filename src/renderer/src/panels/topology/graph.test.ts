import { describe, expect, it } from 'vitest'
import type { SchemaMessage } from '../../../../shared/protocol/messages'
import { layoutTopology, moduleOf, rateLabel, routePath, wireLabel } from './graph'

const sig = (name: string) => ({ name, type: 'f64' })

/** The demo's modules and wiring, with a wire of gain and offset and a module with a dotted signal name. */
const schema: Pick<SchemaMessage, 'modules' | 'wiring'> = {
  modules: {
    target: { signals: [sig('out')], rate_hz: 100, model: 'signal_generator' },
    target_y: { signals: [sig('out')], rate_hz: 100, model: 'signal_generator' },
    disturbance: { signals: [sig('force.x'), sig('force.y')], rate_hz: 100, model: 'injection' },
    pid_x: { signals: [sig('setpoint'), sig('measurement'), sig('output')], rate_hz: 100, model: 'pid' },
    pid_y: { signals: [sig('setpoint'), sig('measurement'), sig('output')], rate_hz: 100, model: 'pid' },
    thrust_x: { signals: [sig('command'), sig('disturbance'), sig('out')], rate_hz: 100, model: 'sum' },
    thrust_y: { signals: [sig('command'), sig('disturbance'), sig('out')], rate_hz: 100, model: 'sum' },
    vehicle: { signals: [sig('position.x'), sig('position.y'), sig('force.x'), sig('force.y')], rate_hz: 500, model: 'point_mass' }
  },
  wiring: [
    { src: 'target.out', dst: 'pid_x.setpoint', gain: 1, offset: 0 },
    { src: 'target_y.out', dst: 'pid_y.setpoint', gain: 1, offset: 0 },
    { src: 'vehicle.position.x', dst: 'pid_x.measurement', gain: 1, offset: 0 },
    { src: 'vehicle.position.y', dst: 'pid_y.measurement', gain: 1, offset: 0 },
    { src: 'pid_x.output', dst: 'thrust_x.command', gain: 1, offset: 0 },
    { src: 'pid_y.output', dst: 'thrust_y.command', gain: 1, offset: 0 },
    { src: 'disturbance.force.x', dst: 'thrust_x.disturbance', gain: 2.5, offset: -0.5 },
    { src: 'disturbance.force.y', dst: 'thrust_y.disturbance', gain: 1, offset: 0 },
    { src: 'thrust_x.out', dst: 'vehicle.force.x', gain: 1, offset: 0 },
    { src: 'thrust_y.out', dst: 'vehicle.force.y', gain: 1, offset: 0 }
  ]
}

describe('the topology graph', () => {
  it('finds a signal’s module by the longest dotted prefix', () => {
    expect(moduleOf('target_y.out', ['target', 'target_y'])).toBe('target_y')
    expect(moduleOf('a.b.c', ['a', 'a.b'])).toBe('a.b')
    expect(moduleOf('ab.c', ['a'])).toBeNull()
  })

  it('lays out every module as a box and every wire as an arrow from its source box to its destination box', () => {
    const layout = layoutTopology(schema)
    expect(layout.modules.map((m) => m.name).sort()).toEqual(Object.keys(schema.modules).sort())
    expect(layout.wires).toHaveLength(schema.wiring!.length)
    expect(layout.unplaced).toBe(0)
    const box = new Map(layout.modules.map((m) => [m.name, m]))
    const near = (p: { x: number; y: number }, name: string): boolean => {
      const b = box.get(name)!
      return Math.abs(p.x - b.x) <= b.width / 2 + 1 && Math.abs(p.y - b.y) <= b.height / 2 + 1
    }
    for (const w of layout.wires) {
      expect(w.points.length).toBeGreaterThanOrEqual(2)
      expect(near(w.points[0]!, w.from)).toBe(true)
      expect(near(w.points[w.points.length - 1]!, w.to)).toBe(true)
    }
    // No two boxes overlap, and all lie inside the layout's size.
    const boxes = layout.modules
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i]!
      expect(a.x - a.width / 2).toBeGreaterThanOrEqual(0)
      expect(a.y + a.height / 2).toBeLessThanOrEqual(layout.height)
      for (let j = i + 1; j < boxes.length; j++) {
        const b = boxes[j]!
        const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2
        expect(apart, `${a.name} and ${b.name} overlap`).toBe(true)
      }
    }
    // Left to right in data-flow order: the loops' feedback (vehicle back to the controllers) is drawn
    // back, so both loops share ranks: source, controller, actuator, plant.
    for (const [a, b] of [['target', 'pid_x'], ['pid_x', 'thrust_x'], ['thrust_x', 'vehicle'], ['target_y', 'pid_y'], ['pid_y', 'thrust_y'], ['thrust_y', 'vehicle']]) {
      expect(box.get(a!)!.x, `${a} left of ${b}`).toBeLessThan(box.get(b!)!.x)
    }
    expect(box.get('pid_x')!.x).toBe(box.get('pid_y')!.x)
    const feedback = layout.wires.find((w) => w.wire.src === 'vehicle.position.x')!
    expect(near(feedback.points[0]!, 'vehicle')).toBe(true)
    // Top to bottom, the same ranks run down.
    const tb = new Map(layoutTopology(schema, 'TB').modules.map((m) => [m.name, m]))
    expect(tb.get('pid_x')!.y).toBeLessThan(tb.get('vehicle')!.y)
  })

  it('carries rates on the boxes and gain and offset on the arrows', () => {
    const layout = layoutTopology(schema)
    expect(layout.modules.find((m) => m.name === 'vehicle')!.rateHz).toBe(500)
    const w = layout.wires.find((a) => a.wire.src === 'disturbance.force.x')!
    expect(w).toMatchObject({ from: 'disturbance', to: 'thrust_x', srcSignal: 'force.x', dstSignal: 'disturbance' })
    expect(wireLabel(w)).toEqual(['force.x → disturbance', '×2.5 − 0.5'])
    expect(rateLabel(500)).toBe('500 Hz')
    expect(rateLabel(2000)).toBe('2 kHz')
    expect(rateLabel(null)).toBe('')
  })

  it('keeps two wires between the same modules apart, draws a wire to its own module, and counts wires to no module', () => {
    const layout = layoutTopology({
      modules: { a: { signals: [sig('x'), sig('y')] }, b: { signals: [sig('u'), sig('v')] } },
      wiring: [
        { src: 'a.x', dst: 'b.u', gain: 1, offset: 0 },
        { src: 'a.y', dst: 'b.v', gain: 1, offset: 0 },
        { src: 'b.u', dst: 'a.y', gain: 1, offset: 0 },
        { src: 'ghost.s', dst: 'a.x', gain: 1, offset: 0 }
      ]
    })
    expect(layout.wires.map((w) => w.index)).toEqual([0, 1, 2])
    expect(layout.unplaced).toBe(1)
    const [first, second] = layout.wires
    expect(first!.label).not.toEqual(second!.label)
    expect(layoutTopology({ modules: {}, wiring: [] })).toMatchObject({ modules: [], wires: [] })
  })

  it('draws a route as one SVG path', () => {
    expect(routePath([])).toBe('')
    expect(routePath([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe('M0,0 L10,5')
    expect(routePath([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }])).toBe('M0,0 Q10,0 10,10')
  })
})
