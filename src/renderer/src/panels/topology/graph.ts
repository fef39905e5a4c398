// The wiring as a graph: modules as boxes and wires as arrows from the schema, laid out left to right by
// dagre (@dagrejs/dagre: small, synchronous, keeps room for edge labels). Pure, so it is tested in Node.
import dagre from '@dagrejs/dagre'
import type { SchemaMessage, SchemaWire } from '../../../../shared/protocol/messages'

export interface ModuleBox {
  name: string
  /** Centre and size, in layout units (CSS pixels at scale 1). */
  x: number
  y: number
  width: number
  height: number
  rateHz: number | null
  model: string | null
  signals: number
}

export interface WireArrow {
  /** Index of the wire in the schema's wiring. */
  index: number
  wire: SchemaWire
  from: string
  to: string
  /** The signal names inside their modules (`out`, `setpoint`). */
  srcSignal: string
  dstSignal: string
  /** The route from the source box to the destination box, in layout units. */
  points: { x: number; y: number }[]
  /** Where the label sits (its centre). */
  label: { x: number; y: number }
}

export interface TopologyLayout {
  modules: ModuleBox[]
  wires: WireArrow[]
  width: number
  height: number
  /** Wires whose ends name no module of the schema (not drawn, counted so the panel can say so). */
  unplaced: number
}

const BOX_HEIGHT = 46
const CHAR_PX = 7
const MARGIN = 16

/** The module a qualified signal belongs to: the longest module name that is a dotted prefix of it. */
export function moduleOf(signal: string, modules: readonly string[]): string | null {
  let best: string | null = null
  for (const m of modules) if (signal.startsWith(`${m}.`) && (best === null || m.length > best.length)) best = m
  return best
}

/** What an arrow's label says: the signals it joins, and its gain and offset. */
export function wireLabel(a: Pick<WireArrow, 'srcSignal' | 'dstSignal' | 'wire'>): [string, string] {
  const { gain, offset } = a.wire
  const sign = offset < 0 ? '−' : '+'
  return [`${a.srcSignal} → ${a.dstSignal}`, `×${formatNumber(gain)} ${sign} ${formatNumber(Math.abs(offset))}`]
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)))
}

export function rateLabel(rateHz: number | null): string {
  if (rateHz === null) return ''
  return rateHz >= 1000 ? `${formatNumber(rateHz / 1000)} kHz` : `${formatNumber(rateHz)} Hz`
}

export type Direction = 'LR' | 'TB'

/**
 * Lays the graph out in ranks along `direction`. Modules are taken in schema order (the configuration's,
 * usually the order data flows in): a wire to a module earlier in that order is feedback, laid out as if
 * it ran forward and drawn back, so a control loop reads source, controller, actuator, plant.
 */
export function layoutTopology(schema: Pick<SchemaMessage, 'modules' | 'wiring'>, direction: Direction = 'LR'): TopologyLayout {
  const names = Object.keys(schema.modules)
  const order = new Map(names.map((n, i) => [n, i]))
  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir: direction, nodesep: 24, ranksep: 36, edgesep: 12, marginx: MARGIN, marginy: MARGIN })
  g.setDefaultEdgeLabel(() => ({}))
  for (const name of names) {
    const m = schema.modules[name]!
    const sub = [rateLabel(m.rate_hz ?? null), m.model ?? ''].filter(Boolean).join(' · ')
    const width = Math.max(90, (Math.max(name.length, sub.length) + 2) * CHAR_PX)
    g.setNode(name, { width, height: BOX_HEIGHT })
  }
  const wires: Omit<WireArrow, 'points' | 'label'>[] = []
  let unplaced = 0
  ;(schema.wiring ?? []).forEach((wire, index) => {
    const from = moduleOf(wire.src, names)
    const to = moduleOf(wire.dst, names)
    if (from === null || to === null) {
      unplaced++
      return
    }
    const arrow = { index, wire, from, to, srcSignal: wire.src.slice(from.length + 1), dstSignal: wire.dst.slice(to.length + 1) }
    const [line1, line2] = wireLabel(arrow)
    const back = order.get(from)! > order.get(to)!
    g.setEdge(back ? to : from, back ? from : to, { width: Math.max(line1.length, line2.length) * 6 + 8, height: 28, labelpos: 'c', back }, String(index))
    wires.push(arrow)
  })
  dagre.layout(g)
  const modules: ModuleBox[] = names.map((name) => {
    const n = g.node(name)
    const m = schema.modules[name]!
    return { name, x: n.x ?? 0, y: n.y ?? 0, width: n.width, height: n.height, rateHz: m.rate_hz ?? null, model: m.model ?? null, signals: m.signals.length }
  })
  const placed: WireArrow[] = wires.map((w) => {
    const back = order.get(w.from)! > order.get(w.to)!
    const e = g.edge({ v: back ? w.to : w.from, w: back ? w.from : w.to, name: String(w.index) })
    const points = (e.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y }))
    if (back) points.reverse()
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 }
    return { ...w, points, label: { x: e.x ?? mid.x, y: e.y ?? mid.y } }
  })
  const graph = g.graph()
  return { modules, wires: placed, width: graph.width ?? 0, height: graph.height ?? 0, unplaced }
}

/** An SVG path through the route's points, smoothed (a quadratic through each bend's midpoints). */
export function routePath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return ''
  const p = points.map((q) => ({ x: Math.round(q.x * 10) / 10, y: Math.round(q.y * 10) / 10 }))
  if (p.length <= 2) return `M${p[0]!.x},${p[0]!.y}` + (p[1] ? ` L${p[1].x},${p[1].y}` : '')
  let d = `M${p[0]!.x},${p[0]!.y}`
  for (let i = 1; i < p.length - 1; i++) {
    const mid = { x: (p[i]!.x + p[i + 1]!.x) / 2, y: (p[i]!.y + p[i + 1]!.y) / 2 }
    d += i === p.length - 2 ? ` Q${p[i]!.x},${p[i]!.y} ${p[i + 1]!.x},${p[i + 1]!.y}` : ` Q${p[i]!.x},${p[i]!.y} ${mid.x},${mid.y}`
  }
  return d
}
