// The signal tree from the schema: the WAI-ARIA tree pattern (arrows, Home/End, type-ahead, Enter to
// plot), virtualised so that 10,000 signals cost what the visible rows cost; search as you type; units
// and writable marks; drag a signal onto a plot or press + to add it to the active one.
import { useVirtualizer } from '@tanstack/react-virtual'
import { useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { useLevel } from '../limits/alarms'
import { levelClass } from '../limits/limits'
import '../limits/limits.css'
import { SIGNAL_MIME, SIGNALS_MIME } from '../panels/signalDrop'
import { ValueEditor } from '../commanding/ValueEditor'
import { useConsole } from '../store/store'
import { branchIds, buildTree, filterTree, treeKey, typeAhead, visibleRows, type TreeNode, type TreeRow } from './buildTree'

const ROW_PX = 22
const TYPE_AHEAD_MS = 600

function Row({ row, focused, onFocus }: { row: TreeRow; focused: boolean; onFocus(): void }) {
  const toggle = useConsole((s) => s.toggleExpanded)
  const addSignal = useConsole((s) => s.addSignal)
  const faulted = useConsole((s) => row.level === 1 && s.fault?.module === row.node.id)
  const signal = row.node.signal
  const level = useLevel(signal?.name ?? '')
  const indent = { paddingLeft: (row.level - 1) * 12 + 4 }
  const common = {
    role: 'treeitem',
    'aria-level': row.level,
    'aria-setsize': row.setSize,
    'aria-posinset': row.posInSet,
    'aria-selected': focused,
    tabIndex: focused ? 0 : -1,
    'data-row': row.node.id,
    onFocus
  } as const
  if (signal) {
    return (
      <div {...common} aria-label={level > 0 ? `${signal.name} (${level === 2 ? 'alarm' : 'warn'})` : signal.name} className={`leaf ${levelClass(level)}`} style={indent} draggable onDragStart={(e) => e.dataTransfer.setData(SIGNAL_MIME, signal.name)} title={signal.description || signal.name}>
        <span className="label">{row.node.label}</span>
        {signal.unit && <span className="unit">{signal.unit}</span>}
        {signal.writable && (
          <span className="badge" title="writable">
            W
          </span>
        )}
        <button className="mini add" tabIndex={-1} aria-label={`Plot ${signal.name}`} title="Add to the active plot (Enter)" onClick={() => addSignal(signal.name)}>
          +
        </button>
        {signal.writable && <ValueEditor signal={signal.name} compact tabbable={false} />}
      </div>
    )
  }
  return (
    <div {...common} aria-label={faulted ? `${row.node.id} (faulted)` : row.node.id} aria-expanded={row.open} className={`branch${faulted ? ' faulted' : ''}`} style={indent} onClick={() => toggle(row.node.id)} draggable onDragStart={(e) => e.dataTransfer.setData(SIGNALS_MIME, leavesOf(row.node).join('\n'))}>
      <span className="caret" aria-hidden>
        {row.open ? '▾' : '▸'}
      </span>
      {row.node.label}
      {faulted && (
        <span className="fault-mark" title="This module failed; reset the run to start it again">
          fault
        </span>
      )}
    </div>
  )
}

/** Every signal under a branch: what dragging a module onto a table adds. */
function leavesOf(node: TreeNode): string[] {
  return node.signal ? [node.signal.name] : node.children.flatMap(leavesOf)
}

export function SignalTree() {
  const signals = useConsole((s) => s.signals)
  const query = useConsole((s) => s.query)
  const expanded = useConsole((s) => s.expanded)
  const setQuery = useConsole((s) => s.setQuery)
  const tree = useMemo(() => buildTree(signals), [signals])
  // The box shows each key at once; the tree follows when React has time, skipping keys typed meanwhile.
  const shownQuery = useDeferredValue(query)
  const searching = shownQuery.trim() !== ''
  const filtered = useMemo(() => filterTree(tree, shownQuery), [tree, shownQuery])
  const rows = useMemo(() => {
    const open = new Set(expanded)
    return visibleRows(filtered, (id) => searching || open.has(id))
  }, [filtered, expanded, searching])
  const [focusedId, setFocusedId] = useState<string | null>(null)
  const focusedIndex = Math.max(0, rows.findIndex((r) => r.node.id === focusedId))
  const scroller = useRef<HTMLDivElement>(null)
  const typed = useRef({ text: '', at: 0 })
  const wantFocus = useRef(false)
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 12 })

  // Keyboard focus follows the focused row, also after it scrolls into view.
  useEffect(() => {
    if (!wantFocus.current) return
    const id = rows[focusedIndex]?.node.id
    const el = id ? scroller.current?.querySelector<HTMLElement>(`[data-row="${CSS.escape(id)}"]`) : null
    if (el) {
      wantFocus.current = false
      el.focus()
    }
  })

  const moveTo = (index: number): void => {
    const row = rows[index]
    if (!row) return
    wantFocus.current = true
    setFocusedId(row.node.id)
    virtual.scrollToIndex(index)
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    // The value boxes and buttons inside a row keep their own keys.
    if ((e.target as HTMLElement).closest('input, button')) return
    const s = useConsole.getState()
    const effect = treeKey(rows, focusedIndex, e.key)
    if (effect) {
      e.preventDefault()
      if ('focus' in effect) moveTo(effect.focus)
      else if ('open' in effect || 'close' in effect) s.toggleExpanded('open' in effect ? effect.open : effect.close)
      else if (effect.activate.node.signal) s.addSignal(effect.activate.node.signal.name)
      else s.toggleExpanded(effect.activate.node.id)
      return
    }
    if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const now = performance.now()
      typed.current = { text: now - typed.current.at < TYPE_AHEAD_MS ? typed.current.text + e.key : e.key, at: now }
      const hit = typeAhead(rows, typed.current.text.length > 1 ? focusedIndex - 1 : focusedIndex, typed.current.text)
      if (hit >= 0) moveTo(hit)
      e.preventDefault()
    }
  }

  return (
    <nav className="tree" aria-label="Signals">
      <div className="tree-tools">
        <input className="search" type="search" placeholder={`Search ${signals.length} signals`} aria-label="Search signals" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button className="mini" title="Expand all" aria-label="Expand all" onClick={() => useConsole.getState().setExpanded(branchIds(tree))}>
          +all
        </button>
        <button className="mini" title="Collapse all" aria-label="Collapse all" onClick={() => useConsole.getState().setExpanded([])}>
          −all
        </button>
      </div>
      <div className="tree-scroll" ref={scroller}>
        <div role="tree" aria-label="Signal tree" className="tree-rows" style={{ height: virtual.getTotalSize() }} onKeyDown={onKeyDown}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index]!
            return (
              <div key={row.node.id} className="tree-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_PX }}>
                <Row row={row} focused={item.index === focusedIndex} onFocus={() => setFocusedId(row.node.id)} />
              </div>
            )
          })}
        </div>
      </div>
      {signals.length === 0 && <p className="panel-note">No schema yet.</p>}
      {signals.length > 0 && rows.length === 0 && <p className="tree-empty">No signal matches “{shownQuery}”.</p>}
    </nav>
  )
}
