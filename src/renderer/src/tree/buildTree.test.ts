import { describe, expect, it } from 'vitest'
import type { SchemaMessage } from '../../../shared/protocol/messages'
import { buildTree, filterTree, signalsOf } from './buildTree'

const schema: SchemaMessage = {
  type: 'schema',
  modules: {
    vehicle: { signals: [{ name: 'position.x', type: 'f64', unit: 'm' }, { name: 'position.y', type: 'f64', unit: 'm' }, { name: 'mass', type: 'f64', unit: 'kg' }] },
    controller: { signals: [{ name: 'input', type: 'f64', writable: true }] }
  }
}

describe('signal tree', () => {
  it('nests module, then each dot of the signal name, in schema order', () => {
    const tree = buildTree(signalsOf(schema))
    expect(tree.map((n) => n.id)).toEqual(['vehicle', 'controller'])
    const vehicle = tree[0]!
    expect(vehicle.children.map((n) => n.label)).toEqual(['position', 'mass'])
    expect(vehicle.children[0]!.children.map((n) => n.id)).toEqual(['vehicle.position.x', 'vehicle.position.y'])
    expect(vehicle.children[0]!.children[0]!.signal).toEqual({ name: 'vehicle.position.x', module: 'vehicle', unit: 'm', writable: false, description: '' })
    expect(tree[1]!.children[0]!.signal?.writable).toBe(true)
  })

  it("builds the same tree from the anchor's schema, grouped at the last dot", () => {
    const anchor = buildTree(signalsOf({ type: 'schema', modules: { 'vehicle.position': { signals: [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }] }, vehicle: { signals: [{ name: 'mass', type: 'f64' }] } } }))
    expect(anchor.map((n) => n.id)).toEqual(['vehicle'])
    expect(anchor[0]!.children.map((n) => n.id)).toEqual(['vehicle.position', 'vehicle.mass'])
    expect(anchor[0]!.children[0]!.children.map((n) => n.signal?.name)).toEqual(['vehicle.position.x', 'vehicle.position.y'])
  })

  it('filters as you type, case-insensitively, keeping ancestors of every match', () => {
    const tree = buildTree(signalsOf(schema))
    const filtered = filterTree(tree, 'POS y')
    expect(filtered).toHaveLength(1)
    expect(filtered[0]!.children[0]!.children.map((n) => n.id)).toEqual(['vehicle.position.y'])
    expect(filterTree(tree, 'kg')[0]!.children.map((n) => n.id)).toEqual(['vehicle.mass'])
    expect(filterTree(tree, 'nothing')).toEqual([])
    expect(filterTree(tree, '  ')).toHaveLength(2)
  })
})
