// The signal tree: module, then one level per dot of the signal name, in schema order; filtered as you type.
import type { SchemaMessage } from '../../../shared/protocol/messages'

export interface SignalInfo {
  /** Qualified name, `vehicle.position.x`. */
  name: string
  module: string
  unit: string
  writable: boolean
  description: string
}

export interface TreeNode {
  /** Path from the root: `vehicle`, `vehicle.position`, `vehicle.position.x`. */
  id: string
  label: string
  children: TreeNode[]
  /** Present on leaves: the signal itself. */
  signal?: SignalInfo
}

export function signalsOf(schema: SchemaMessage): SignalInfo[] {
  return Object.entries(schema.modules).flatMap(([module, m]) =>
    m.signals.map((s) => ({ name: `${module}.${s.name}`, module, unit: s.unit ?? '', writable: s.writable ?? false, description: s.description ?? '' }))
  )
}

/** Splits every qualified name on every dot, so a seed 000 schema and the anchor's (grouped at the last dot) give the same tree. */
export function buildTree(signals: readonly SignalInfo[]): TreeNode[] {
  const roots: TreeNode[] = []
  const byId = new Map<string, TreeNode>()
  for (const signal of signals) {
    let siblings = roots
    let id = ''
    let node: TreeNode | undefined
    for (const part of signal.name.split('.')) {
      id = id ? `${id}.${part}` : part
      node = byId.get(id)
      if (!node) {
        node = { id, label: part, children: [] }
        byId.set(id, node)
        siblings.push(node)
      }
      siblings = node.children
    }
    if (node) node.signal = signal
  }
  return roots
}

/** Keeps signals whose name (or unit) contains every word of the query, case-insensitively, with their ancestors. */
export function filterTree(nodes: readonly TreeNode[], query: string): TreeNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...nodes]
  const keep = (node: TreeNode): TreeNode | null => {
    if (node.signal) {
      const text = `${node.signal.name} ${node.signal.unit}`.toLowerCase()
      return words.every((w) => text.includes(w)) ? node : null
    }
    const children = node.children.map(keep).filter((n): n is TreeNode => n !== null)
    return children.length > 0 ? { ...node, children } : null
  }
  return nodes.map(keep).filter((n): n is TreeNode => n !== null)
}
