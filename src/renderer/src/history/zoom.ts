// A plot zoomed or panned into the past draws the range from the server at the simulation's own rate
// (max_points about twice the widest plot's width in pixels), beyond the ten minutes held in memory;
// back in live mode the plots draw the held telemetry again. Requests wait until a drag settles.
import { pipeline } from '../frames/pipeline'
import { useConsole, type ViewState } from '../store/store'
import { History } from '../telemetry/history'
import { telemetry } from '../telemetry/telemetry'
import { plottedSources, historyLoader } from './loader'
import { rowsOf, type FetchedRows } from './merge'
import { clampPoints, planRequests } from './planner'

/** A drag or a wheel spin sends one request when it stops for this long. */
export const ZOOM_DEBOUNCE_MS = 250

export interface ZoomData {
  epoch: number
  from: number
  to: number
  mode: 'full' | 'minmax'
  history: History
  key: string
}

class ZoomLoader {
  data: ZoomData | null = null
  private readonly widths = new Map<string, number>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private token = 0
  readonly stats = { requests: 0, loads: 0 }

  constructor() {
    useConsole.subscribe((s, prev) => {
      if (s.view !== prev.view || s.panels !== prev.panels) this.schedule()
    })
  }

  /** A plot's drawing width in CSS pixels; the widest decides the points asked for. */
  setWidth(panel: string, px: number): void {
    this.widths.set(panel, px)
  }

  dropWidth(panel: string): void {
    this.widths.delete(panel)
  }

  schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (useConsole.getState().view.live) {
      // Follow mode: the held telemetry again, and a reply on its way is dropped.
      this.token++
      this.data = null
      return
    }
    this.timer = setTimeout(() => {
      this.timer = null
      void this.load()
    }, ZOOM_DEBOUNCE_MS)
  }

  /** What a plot draws for the view: the loaded range when zoomed into it, else the held telemetry. */
  historyFor(view: ViewState): History {
    const d = this.data
    if (view.live || !d || d.epoch !== telemetry.epoch || d.to < view.min || d.from > view.max) return telemetry.history
    return d.history
  }

  private async load(): Promise<void> {
    const link = historyLoader.connectedLink
    if (!link || !historyLoader.serves) return
    const s = useConsole.getState()
    if (s.view.live) return
    const now = Math.max(Number.isFinite(telemetry.liveTime) ? telemetry.liveTime : 0, s.run.time)
    const from = Math.max(0, s.view.min)
    const to = Math.min(s.view.max, now)
    if (!(to > from)) return
    const known = new Set(s.signals.map((x) => x.name))
    const signals = plottedSources(s, ['plot']).filter((n) => known.has(n) && historyLoader.mayAsk(n))
    if (signals.length === 0) return
    const width = Math.max(100, ...this.widths.values())
    const maxPoints = clampPoints(2 * width)
    const key = `${from}:${to}:${maxPoints}:${signals.join(',')}`
    if (this.data?.key === key && this.data.epoch === telemetry.epoch) return
    const requests = planRequests(signals.map((signal) => ({ signal, holes: [[from, to] as const] })), { maxPoints })
    const mine = ++this.token
    const epoch = telemetry.epoch
    this.stats.requests += requests.length
    let parts: FetchedRows[]
    let mode: 'full' | 'minmax' = 'full'
    try {
      const replies = await Promise.all(requests.map((r) => link.history({ signals: r.signals, from: r.from, to: r.to, maxPoints: r.maxPoints })))
      mode = replies[0]?.mode ?? 'full'
      parts = replies.map(rowsOf)
    } catch {
      // The loader's fill requests report refusals; a zoom falls back to what is held.
      return
    }
    if (mine !== this.token || epoch !== telemetry.epoch) return
    this.data = { epoch, from, to, mode, history: joinParts(parts), key }
    this.stats.loads++
  }
}

/** The parts of one range (same from, to and max_points, so the same times) as one history, derived signals computed. */
function joinParts(parts: readonly FetchedRows[]): History {
  const times = parts[0]?.times ?? new Float64Array(0)
  const columns = new Map<string, Float64Array>()
  for (const p of parts) if (p.times.length === times.length) for (const [n, v] of p.values) columns.set(n, v)
  const names = [...columns.keys()]
  const deriver = pipeline.deriverFor(names)
  const history = new History(deriver.columns, times.length)
  const row = new Float64Array(deriver.columns.length)
  const values = names.map((n) => columns.get(n)!)
  for (let k = 0; k < times.length; k++) {
    for (let c = 0; c < values.length; c++) row[c] = values[c]![k]!
    deriver.derive(row)
    history.append(times[k]!, row)
  }
  return history
}

export const zoomLoader = new ZoomLoader()
