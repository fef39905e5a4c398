// The Topology panel: the schema's modules as boxes and wires as arrows (plain SVG over a dagre layout),
// rates on the boxes, gain and offset on the arrows, live values on an arrow under the pointer or focus,
// a click (or Enter) on a module filters the signal tree to it, and a faulted module is marked.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { useConsole, type PanelConfig } from '../../store/store'
import { telemetry } from '../../telemetry/telemetry'
import { formatValue } from '../plot/Legend'
import { layoutTopology, rateLabel, routePath, wireLabel, type TopologyLayout, type WireArrow } from './graph'
import './topology.css'

const REFRESH_MS = 250
/** Below this the labels are too small to read: the graph keeps this size and the panel scrolls. */
const MIN_SCALE = 0.9
const MAX_SCALE = 1.5

/** How much a layout must shrink (or may grow) to fit a w x h area. */
function fitScale(layout: TopologyLayout, w: number, h: number): number {
  return Math.min(w / Math.max(1, layout.width), h / Math.max(1, layout.height))
}

/** The tree's filter that shows one module's signals. */
export const moduleQuery = (module: string): string => `${module}.`

function latest(signal: string): number {
  const h = telemetry.history
  const column = h.indexOf(signal)
  return column >= 0 && h.length > 0 ? h.valueAt(column, h.length - 1) : NaN
}

export function TopologyPanel({ panel }: { panel: PanelConfig }) {
  const schema = useConsole((s) => s.schema)
  const fault = useConsole((s) => s.fault)
  const query = useConsole((s) => s.query)
  const setQuery = useConsole((s) => s.setQuery)
  // Both directions are laid out (a few ms for a console's graph); the one that fits the panel larger is drawn.
  const layouts = useMemo(() => (schema ? { LR: layoutTopology(schema, 'LR'), TB: layoutTopology(schema, 'TB') } : null), [schema?.modules, schema?.wiring])
  const host = useRef<HTMLDivElement>(null)
  const area = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ w: 0, h: 0 })
  useEffect(() => {
    const el = area.current
    if (!el) return
    const observer = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }))
    observer.observe(el)
    return () => observer.disconnect()
  }, [layouts !== null])
  const layout = layouts ? (fitScale(layouts.TB, size.w, size.h) > fitScale(layouts.LR, size.w, size.h) ? layouts.TB : layouts.LR) : null
  const scale = layout ? Math.min(MAX_SCALE, Math.max(MIN_SCALE, fitScale(layout, size.w, size.h))) : 1
  /** The arrow whose values are shown, and where its tip sits in the panel. */
  const [shown, setShown] = useState<{ wire: WireArrow; left: number; top: number } | null>(null)
  const [, setTick] = useState(0)
  useEffect(() => {
    if (!shown) return
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS)
    return () => clearInterval(timer)
  }, [shown])

  if (!schema || !layout) return <div className="panel-note">No schema yet: the topology appears when the console is connected.</div>
  if (layout.modules.length === 0) return <div className="panel-note">This run has no modules.</div>

  const show = (wire: WireArrow, target: Element): void => {
    const box = host.current?.getBoundingClientRect()
    const r = target.getBoundingClientRect()
    if (!box) return
    setShown({ wire, left: r.left + r.width / 2 - box.left, top: r.bottom - box.top + 4 })
  }
  const toggleModule = (name: string): void => setQuery(query === moduleQuery(name) ? '' : moduleQuery(name))
  const onModuleKey = (e: KeyboardEvent, name: string): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      toggleModule(name)
    }
  }
  const wiring = schema.wiring ?? []
  const faulted = fault?.module ?? null

  return (
    <div
      className="topology"
      ref={host}
      data-testid={`topology-${panel.id}`}
      onKeyDown={(e) => {
        // A focused box or arrow owns its keys, as a button does: Space filters, it does not pause the run.
        if ((e.target as Element).closest('[data-module], [data-wire]')) e.stopPropagation()
      }}
    >
      <div className="topology-summary" aria-live="off">
        {layout.modules.length} modules, {layout.wires.length} wires
        {layout.unplaced > 0 && `, ${layout.unplaced} not drawn (their module is not in the schema)`}
        {wiring.length === 0 && ' (the server sends no wiring)'}
        {query !== '' && layout.modules.some((m) => moduleQuery(m.name) === query) && (
          <button className="mini" onClick={() => setQuery('')} title="Show every signal in the tree again">
            clear filter
          </button>
        )}
      </div>
      <div className="topology-area" ref={area}>
        <svg
          className="topology-graph"
          width={Math.round(layout.width * scale)}
          height={Math.round(layout.height * scale)}
          viewBox={`0 0 ${Math.max(1, layout.width)} ${Math.max(1, layout.height)}`}
          role="group"
          aria-label={`${panel.title}: modules and wires`}
        >
          <defs>
            <marker id={`arrow-${panel.id}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="topology-arrowhead" />
            </marker>
          </defs>
          {layout.wires.map((w) => {
            const [line1, line2] = wireLabel(w)
            const active = shown?.wire.index === w.index
            return (
              <g
                key={w.index}
                className={`topology-wire${active ? ' active' : ''}`}
                data-wire={`${w.wire.src}->${w.wire.dst}`}
                tabIndex={0}
                role="img"
                aria-label={`wire ${w.wire.src} to ${w.wire.dst}, gain ${w.wire.gain}, offset ${w.wire.offset}`}
                onMouseEnter={(e) => show(w, e.currentTarget.querySelector('text') ?? e.currentTarget)}
                onMouseLeave={() => setShown(null)}
                onFocus={(e) => show(w, e.currentTarget.querySelector('text') ?? e.currentTarget)}
                onBlur={() => setShown(null)}
              >
                <path className="topology-hit" d={routePath(w.points)} />
                <path className="topology-line" d={routePath(w.points)} markerEnd={`url(#arrow-${panel.id})`} />
                <text x={w.label.x} y={w.label.y - 3} textAnchor="middle">
                  {line1}
                </text>
                <text className="topology-gain" x={w.label.x} y={w.label.y + 10} textAnchor="middle">
                  {line2}
                </text>
              </g>
            )
          })}
          {layout.modules.map((m) => {
            const isFaulted = faulted === m.name
            const filtered = query === moduleQuery(m.name)
            const sub = [rateLabel(m.rateHz), m.model ?? ''].filter(Boolean).join(' · ')
            return (
              <g
                key={m.name}
                className={`topology-module${isFaulted ? ' faulted' : ''}${filtered ? ' filtered' : ''}`}
                data-module={m.name}
                transform={`translate(${m.x - m.width / 2},${m.y - m.height / 2})`}
                tabIndex={0}
                role="button"
                aria-pressed={filtered}
                aria-label={`module ${m.name}${sub ? `, ${sub}` : ''}, ${m.signals} signals${isFaulted ? ', faulted' : ''}. Enter shows its signals in the tree.`}
                onClick={() => toggleModule(m.name)}
                onKeyDown={(e) => onModuleKey(e, m.name)}
              >
                <title>{isFaulted ? `${m.name} failed: ${fault?.message ?? ''}` : `Show ${m.name}'s signals in the tree`}</title>
                <rect width={m.width} height={m.height} rx={4} />
                <text x={m.width / 2} y={18} textAnchor="middle" className="topology-name">
                  {m.name}
                </text>
                <text x={m.width / 2} y={34} textAnchor="middle" className="topology-rate">
                  {isFaulted ? 'fault' : sub}
                </text>
              </g>
            )
          })}
        </svg>
      </div>
      {shown && (
        <div className="topology-values" role="status" style={{ left: shown.left, top: shown.top }} data-testid="wire-values">
          <div>
            {shown.wire.wire.src} <span className="num">{formatValue(latest(shown.wire.wire.src))}</span>
          </div>
          <div>
            {shown.wire.wire.dst} <span className="num">{formatValue(latest(shown.wire.wire.dst))}</span>
          </div>
          <div className="topology-gain">
            dst = {shown.wire.wire.gain} × src + {shown.wire.wire.offset}
          </div>
        </div>
      )}
    </div>
  )
}
