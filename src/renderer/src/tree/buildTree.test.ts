import { describe, expect, it } from 'vitest'
import type { SchemaMessage } from '../../../shared/protocol/messages'
import { branchIds, buildTree, filterTree, signalsOf, treeKey, typeAhead, visibleRows } from './buildTree'

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

describe('tree rows and keys (WAI-ARIA tree pattern)', () => {
  const tree = buildTree(signalsOf(schema))
  const rowsWith = (open: string[]) => visibleRows(tree, (id) => open.includes(id))

  it('lists roots, and the children of open branches, with level, set size and position', () => {
    expect(rowsWith([]).map((r) => r.node.id)).toEqual(['vehicle', 'controller'])
    const rows = rowsWith(['vehicle', 'vehicle.position'])
    expect(rows.map((r) => [r.node.id, r.level, r.posInSet, r.setSize])).toEqual([
      ['vehicle', 1, 1, 2],
      ['vehicle.position', 2, 1, 2],
      ['vehicle.position.x', 3, 1, 2],
      ['vehicle.position.y', 3, 2, 2],
      ['vehicle.mass', 2, 2, 2],
      ['controller', 1, 2, 2]
    ])
    expect(branchIds(tree).sort()).toEqual(['controller', 'vehicle', 'vehicle.position'])
  })

  it('moves, opens, closes and activates as the pattern says', () => {
    const rows = rowsWith(['vehicle'])
    // vehicle, vehicle.position (closed), vehicle.mass, controller
    expect(treeKey(rows, 0, 'ArrowDown')).toEqual({ focus: 1 })
    expect(treeKey(rows, 3, 'ArrowDown')).toBeNull()
    expect(treeKey(rows, 0, 'ArrowUp')).toBeNull()
    expect(treeKey(rows, 2, 'Home')).toEqual({ focus: 0 })
    expect(treeKey(rows, 0, 'End')).toEqual({ focus: 3 })
    expect(treeKey(rows, 1, 'ArrowRight')).toEqual({ open: 'vehicle.position' })
    expect(treeKey(rows, 0, 'ArrowRight')).toEqual({ focus: 1 })
    expect(treeKey(rows, 0, 'ArrowLeft')).toEqual({ close: 'vehicle' })
    expect(treeKey(rows, 2, 'ArrowLeft')).toEqual({ focus: 0 })
    expect(treeKey(rows, 3, 'ArrowLeft')).toBeNull()
    expect(treeKey(rows, 2, 'ArrowRight')).toBeNull()
    expect(treeKey(rows, 2, 'Enter')).toEqual({ activate: rows[2] })
  })

  it('jumps to the next name that starts with what was typed, wrapping around', () => {
    const rows = rowsWith(['vehicle'])
    expect(typeAhead(rows, 0, 'm')).toBe(2)
    expect(typeAhead(rows, 2, 'v')).toBe(0)
    expect(typeAhead(rows, 0, 'po')).toBe(1)
    expect(typeAhead(rows, 0, 'zz')).toBe(-1)
  })
})
