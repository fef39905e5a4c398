// The signal table: any signals (the run's and derived ones) with value, unit, min/max since reset, rate
// of change and, for writable ones, a value box. Numbers are written into the cells by the one animation
// loop (no React render per frame); React renders only when rows, options or limit levels change.
import { useEffect, useMemo, useRef, useState } from 'react'
import { ValueEditor } from '../../commanding/ValueEditor'
import { useAlarms } from '../../limits/alarms'
import { levelClass, LEVEL_NAMES } from '../../limits/limits'
import { useConsole, type PanelConfig } from '../../store/store'
import { onAnimationFrame } from '../../telemetry/animation'
import { telemetry } from '../../telemetry/telemetry'
import { RemoveSignalButton } from '../removeSignal/RemoveSignalButton'
import { useSignalDrop } from '../signalDrop'
import { COLUMN_LABELS, formatFixed, TABLE_COLUMNS, tableOptions, type TableColumn, type TableOptions } from './tableOptions'
import { latest, rateOf, TableStats } from './tableStats'
import './table.css'

const LIVE: readonly TableColumn[] = ['value', 'min', 'max', 'rate']
/** Sorting by a live number re-sorts this often, not every frame (rows that jump every frame cannot be read). */
const RESORT_MS = 1000
/**
 * Numbers are rewritten this often: ten times a second is as fast as anyone reads digits, and 256 cells
 * rewritten every frame cost the window 40 ms a frame in layout and text shaping (bench/console.ts).
 */
const TEXT_REFRESH_MS = 100

interface RowInfo {
  name: string
  unit: string
  writable: boolean
  derived: boolean
}

export function TablePanel({ panel }: { panel: PanelConfig }) {
  const options = useMemo(() => tableOptions(panel.options), [panel.options])
  const signals = useConsole((s) => s.signals)
  const derived = useConsole((s) => s.derived)
  const levels = useAlarms((s) => s.levels)
  const [resort, setResort] = useState(0)
  const cells = useRef(new Map<string, HTMLElement>())
  const stats = useRef<TableStats | null>(null)
  // New cells (rows added, shown again, re-sorted) are filled at the next frame even while the run is paused.
  const dirty = useRef(true)
  const set = (o: Partial<TableOptions>): void => useConsole.getState().setPanelOptions(panel.id, o)

  const info = useMemo(() => {
    const m = new Map<string, RowInfo>()
    for (const s of signals) m.set(s.name, { name: s.name, unit: s.unit, writable: s.writable, derived: false })
    for (const d of derived) m.set(d.name, { name: d.name, unit: d.unit, writable: false, derived: true })
    return m
  }, [signals, derived])

  const words = options.filter.toLowerCase().split(/\s+/).filter(Boolean)
  const shown = panel.signals.filter((n) => words.every((w) => `${n} ${info.get(n)?.unit ?? ''}`.toLowerCase().includes(w)))
  const sort = options.sort
  if (sort) {
    const h = telemetry.history
    const st = stats.current
    const key = (n: string): number | string => {
      const c = h.indexOf(n)
      const r = st ? st.signals.indexOf(n) : -1
      switch (sort.column) {
        case 'value':
          return latest(h, c)
        case 'min':
          return r >= 0 ? st!.min[r]! : NaN
        case 'max':
          return r >= 0 ? st!.max[r]! : NaN
        case 'rate':
          return rateOf(h, c)
        case 'unit':
          return info.get(n)?.unit ?? ''
        default:
          return n
      }
    }
    const keyed = shown.map((n) => [n, key(n)] as const)
    keyed.sort(([, a], [, b]) => {
      // Missing numbers sort last either way.
      if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : sort.descending ? b - a : a - b
      return sort.descending ? String(b).localeCompare(String(a)) : String(a).localeCompare(String(b))
    })
    shown.splice(0, shown.length, ...keyed.map(([n]) => n))
  }
  void resort

  useEffect(() => {
    if (!sort || !LIVE.includes(sort.column)) return
    const timer = setInterval(() => setResort((r) => r + 1), RESORT_MS)
    return () => clearInterval(timer)
  }, [sort])

  // Min and max run over every sample since the table (or its reset button, or a run reset) started.
  const key = panel.signals.join('\n')
  useEffect(() => {
    stats.current = new TableStats(panel.signals)
  }, [key])

  useEffect(() => {
    const drawn = { version: -1, generation: -1, precision: -1, columns: [] as number[], signals: null as readonly string[] | null, at: -Infinity }
    return onAnimationFrame((now) => {
      const h = telemetry.history
      const st = stats.current
      if (!st) return
      if (h.version === drawn.version && telemetry.generation === drawn.generation && options.precision === drawn.precision && st.signals === drawn.signals && !dirty.current) return
      // New cells, another precision or a reset show at once; the run's own progress, ten times a second.
      const changedShape = dirty.current || options.precision !== drawn.precision || st.signals !== drawn.signals || telemetry.generation !== drawn.generation
      if (!changedShape && now - drawn.at < TEXT_REFRESH_MS) return
      drawn.at = now
      dirty.current = false
      if (telemetry.generation !== drawn.generation || st.signals !== drawn.signals) drawn.columns = st.signals.map((n) => h.indexOf(n))
      drawn.signals = st.signals
      drawn.version = h.version
      drawn.generation = telemetry.generation
      drawn.precision = options.precision
      st.update(h, drawn.columns)
      st.signals.forEach((name, r) => {
        const c = drawn.columns[r]!
        write(cells.current.get(`${name}\nvalue`), formatFixed(latest(h, c), options.precision))
        write(cells.current.get(`${name}\nmin`), formatFixed(st.min[r]!, options.precision))
        write(cells.current.get(`${name}\nmax`), formatFixed(st.max[r]!, options.precision))
        write(cells.current.get(`${name}\nrate`), formatFixed(rateOf(h, c), options.precision))
      })
    })
  }, [options.precision])

  const cellRef = (name: string, column: TableColumn) => (el: HTMLElement | null) => {
    const k = `${name}\n${column}`
    if (el) {
      cells.current.set(k, el)
      dirty.current = true
    } else cells.current.delete(k)
  }

  const addNames = (names: string[]): void => {
    const next = [...panel.signals]
    for (const n of names) if (n && !next.includes(n)) next.push(n)
    if (next.length === panel.signals.length) return
    useConsole.setState((s) => ({ panels: s.panels.map((p) => (p.id === panel.id ? { ...p, signals: next } : p)) }))
  }
  const drop = useSignalDrop(addNames, true)

  const columns = TABLE_COLUMNS.filter((c) => options.columns.includes(c))
  const sortBy = (column: TableColumn): void => set({ sort: sort?.column === column ? (sort.descending ? null : { column, descending: true }) : { column, descending: false } })

  return (
    <div
      className={`signal-table${drop.dropping ? ' dropping' : ''}`}
      data-testid={`table-${panel.id}`}
      {...drop.handlers}
    >
      <div className="table-tools">
        <input type="search" aria-label="Filter rows" placeholder={`Filter ${panel.signals.length} signals`} value={options.filter} onChange={(e) => set({ filter: e.target.value })} />
        <label>
          decimals{' '}
          <input type="number" aria-label="Decimals" min={0} max={12} value={options.precision} onChange={(e) => set({ precision: Math.max(0, Math.min(12, Math.round(Number(e.target.value) || 0))) })} />
        </label>
        <details className="table-columns">
          <summary>Columns</summary>
          <div role="group" aria-label="Columns">
            {TABLE_COLUMNS.filter((c) => c !== 'name').map((c) => (
              <label key={c}>
                <input type="checkbox" checked={options.columns.includes(c)} onChange={(e) => set({ columns: e.target.checked ? TABLE_COLUMNS.filter((x) => x === c || options.columns.includes(x)) : options.columns.filter((x) => x !== c) })} />
                {COLUMN_LABELS[c]}
              </label>
            ))}
          </div>
        </details>
        <button className="mini" title="Start min and max again from now" onClick={() => stats.current?.reset()}>
          Reset min/max
        </button>
      </div>
      {panel.signals.length === 0 ? (
        <div className="panel-note">Drag signals or a module here from the tree, or make this panel active and press Enter (or +) on a signal.</div>
      ) : (
        <table className="values">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} aria-sort={sort?.column === c ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                  {c === 'set' ? (
                    COLUMN_LABELS[c]
                  ) : (
                    <button className="sort" onClick={() => sortBy(c)} title="Sort (again: descending, a third time: unsorted)">
                      {COLUMN_LABELS[c]}
                      {sort?.column === c ? (sort.descending ? ' ▾' : ' ▴') : ''}
                    </button>
                  )}
                </th>
              ))}
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {shown.map((name) => {
              const row = info.get(name)
              const level = levels[name] ?? 0
              return (
                <tr key={name} data-signal={name} className={levelClass(level)} aria-label={level > 0 ? `${name}: ${LEVEL_NAMES[level]}` : undefined}>
                  {columns.map((c) => {
                    if (c === 'name') {
                      return (
                        <td key={c} title={row?.derived ? 'derived in this console' : undefined}>
                          {name}
                          {row?.derived ? <span className="unit"> ƒ</span> : null}
                          {!row && <span className="late"> (not in this run)</span>}
                        </td>
                      )
                    }
                    if (c === 'unit') return <td key={c}>{row?.unit ?? ''}</td>
                    if (c === 'set') return <td key={c}>{row?.writable ? <ValueEditor signal={name} compact /> : null}</td>
                    return <td key={c} className="num" data-col={c} ref={cellRef(name, c)} />
                  })}
                  <td>
                    <RemoveSignalButton panelId={panel.id} signal={name} panelKind="table" />
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </div>
  )
}

function write(el: HTMLElement | undefined, text: string): void {
  if (el && el.textContent !== text) el.textContent = text
}
