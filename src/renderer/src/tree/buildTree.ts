// The signal tree: module, then one level per dot of the signal name, in schema order; filtered as you type.
import type { SchemaMessage, SignalLimits } from '../../../shared/protocol/messages'

export interface SignalInfo {
  /** Qualified name, `vehicle.position.x`. */
  name: string
  module: string
  unit: string
  writable: boolean
  description: string
  /** The configuration's limits (extended schema), when it gives some. */
  limits?: SignalLimits
}

export interface TreeNode {
  /** Path from the root: `vehicle`, `vehicle.position`, `vehicle.position.x`. */
  id: string
  label: string
  children: TreeNode[]
  /** Present on leaves: the signal itself. */
  signal?: SignalInfo
  /** Leaves: name and unit in lower case, made once so a keystroke's search allocates nothing per signal. */
  searchText?: string
}

export function signalsOf(schema: SchemaMessage): SignalInfo[] {
  return Object.entries(schema.modules).flatMap(([module, m]) =>
    m.signals.map((s) => ({ name: `${module}.${s.name}`, module, unit: s.unit ?? '', writable: s.writable ?? false, description: s.description ?? '', ...(s.limits ? { limits: s.limits } : {}) }))
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
    if (node) {
      node.signal = signal
      node.searchText = `${signal.name} ${signal.unit}`.toLowerCase()
    }
  }
  return roots
}

/** Keeps signals whose name (or unit) contains every word of the query, case-insensitively, with their ancestors. */
export function filterTree(nodes: readonly TreeNode[], query: string): TreeNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...nodes]
  const keep = (node: TreeNode): TreeNode | null => {
    if (node.signal) {
      const text = node.searchText ?? `${node.signal.name} ${node.signal.unit}`.toLowerCase()
      return words.every((w) => text.includes(w)) ? node : null
    }
    const children = node.children.map(keep).filter((n): n is TreeNode => n !== null)
    return children.length > 0 ? { ...node, children } : null
  }
  return nodes.map(keep).filter((n): n is TreeNode => n !== null)
}

/** One visible line of the tree, flattened for a virtual list, with what ARIA needs to describe it. */
export interface TreeRow {
  node: TreeNode
  /** 1 for a module. */
  level: number
  parent: string | null
  setSize: number
  posInSet: number
  open: boolean
}

/** The rows a person sees: every root, and the children of every open branch, in order. */
export function visibleRows(nodes: readonly TreeNode[], isOpen: (id: string) => boolean): TreeRow[] {
  const rows: TreeRow[] = []
  // Iterative depth-first walk: a deep name cannot overflow the stack.
  const stack: { list: readonly TreeNode[]; index: number; level: number; parent: string | null }[] = [{ list: nodes, index: 0, level: 1, parent: null }]
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.index >= top.list.length) {
      stack.pop()
      continue
    }
    const node = top.list[top.index]!
    top.index++
    const open = !node.signal && isOpen(node.id)
    rows.push({ node, level: top.level, parent: top.parent, setSize: top.list.length, posInSet: top.index, open })
    if (open && node.children.length > 0) stack.push({ list: node.children, index: 0, level: top.level + 1, parent: node.id })
  }
  return rows
}

/** Every branch id: for expand-all. */
export function branchIds(nodes: readonly TreeNode[]): string[] {
  const ids: string[] = []
  const stack = [...nodes]
  while (stack.length > 0) {
    const n = stack.pop()!
    if (n.signal) continue
    ids.push(n.id)
    stack.push(...n.children)
  }
  return ids
}

/** What a key does in the tree (the WAI-ARIA tree pattern), given the visible rows and the focused one. */
export type TreeKeyEffect = { focus: number } | { open: string } | { close: string } | { activate: TreeRow } | null

export function treeKey(rows: readonly TreeRow[], focused: number, key: string): TreeKeyEffect {
  const row = rows[focused]
  if (!row) return rows.length > 0 ? { focus: 0 } : null
  const branch = !row.node.signal
  switch (key) {
    case 'ArrowDown':
      return focused + 1 < rows.length ? { focus: focused + 1 } : null
    case 'ArrowUp':
      return focused > 0 ? { focus: focused - 1 } : null
    case 'Home':
      return { focus: 0 }
    case 'End':
      return { focus: rows.length - 1 }
    case 'ArrowRight':
      if (!branch) return null
      if (!row.open) return { open: row.node.id }
      return focused + 1 < rows.length && rows[focused + 1]!.parent === row.node.id ? { focus: focused + 1 } : null
    case 'ArrowLeft': {
      if (branch && row.open) return { close: row.node.id }
      if (row.parent === null) return null
      const parent = rows.findLastIndex((r, i) => i < focused && r.node.id === row.parent)
      return parent >= 0 ? { focus: parent } : null
    }
    case 'Enter':
    case ' ':
      return { activate: row }
    default:
      return null
  }
}

/** Type-ahead: the next row after `from` whose label starts with `prefix`, wrapping; -1 when none. */
export function typeAhead(rows: readonly TreeRow[], from: number, prefix: string): number {
  const p = prefix.toLowerCase()
  for (let k = 1; k <= rows.length; k++) {
    const i = (from + k) % rows.length
    if (rows[i]!.node.label.toLowerCase().startsWith(p)) return i
  }
  return -1
}
