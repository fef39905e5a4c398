// The signal tree from the schema: ARIA tree roles, search as you type, units and writable marks,
// drag a signal onto a plot or press + to add it to the active one.
import { useMemo } from 'react'
import { useConsole } from '../store/store'
import { SIGNAL_MIME } from '../panels/plot/PlotPanel'
import { ValueEditor } from '../panels/values/ValuesPanel'
import { buildTree, filterTree, type TreeNode } from './buildTree'

function Node({ node, depth, forceOpen }: { node: TreeNode; depth: number; forceOpen: boolean }) {
  const expanded = useConsole((s) => forceOpen || s.expanded.includes(node.id))
  const toggle = useConsole((s) => s.toggleExpanded)
  const addSignal = useConsole((s) => s.addSignal)
  const signal = node.signal
  if (signal) {
    return (
      <li role="treeitem" aria-level={depth} aria-selected={false} aria-label={signal.name} className="leaf" draggable onDragStart={(e) => e.dataTransfer.setData(SIGNAL_MIME, signal.name)} title={signal.description || signal.name}>
        <span className="label" style={{ paddingLeft: depth * 12 }}>
          {node.label}
        </span>
        {signal.unit && <span className="unit">{signal.unit}</span>}
        {signal.writable && <span className="badge" title="writable">W</span>}
        <button className="mini add" aria-label={`Plot ${signal.name}`} title="Add to the active plot" onClick={() => addSignal(signal.name)}>
          +
        </button>
        {signal.writable && <ValueEditor signal={signal.name} compact />}
      </li>
    )
  }
  return (
    <li role="treeitem" aria-level={depth} aria-expanded={expanded} aria-selected={false} aria-label={node.id} className="branch">
      <button className="branch-toggle" style={{ paddingLeft: depth * 12 }} onClick={() => toggle(node.id)}>
        <span className="caret">{expanded ? '▾' : '▸'}</span> {node.label}
      </button>
      {expanded && (
        <ul role="group">
          {node.children.map((c) => (
            <Node key={c.id} node={c} depth={depth + 1} forceOpen={forceOpen} />
          ))}
        </ul>
      )}
    </li>
  )
}

export function SignalTree() {
  const signals = useConsole((s) => s.signals)
  const query = useConsole((s) => s.query)
  const setQuery = useConsole((s) => s.setQuery)
  const tree = useMemo(() => buildTree(signals), [signals])
  const visible = useMemo(() => filterTree(tree, query), [tree, query])
  return (
    <nav className="tree" aria-label="Signals">
      <input className="search" type="search" placeholder={`Search ${signals.length} signals`} aria-label="Search signals" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul role="tree" aria-label="Signal tree">
        {visible.map((n) => (
          <Node key={n.id} node={n} depth={1} forceOpen={query.trim() !== ''} />
        ))}
      </ul>
      {signals.length === 0 && <p className="panel-note">No schema yet.</p>}
    </nav>
  )
}
