// An XY panel: traces of one signal against another over a trailing time window, drawn with uPlot's XY
// mode (mode 2), the newest point marked and the shared cursor's instant ringed; zoom, pan, back to live.
// Given `points` (a dataset: a sweep's runs), it draws those as dots instead, the selected one ringed.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { useConsole, WINDOWS_S, type PanelConfig } from '../../store/store'
import { onAnimationFrame } from '../../telemetry/animation'
import { telemetry, visibleRange } from '../../telemetry/telemetry'
import { axisColors, signalColor } from '../plot/colors'
import { formatValue } from '../plot/Legend'
import { useSignalDrop } from '../signalDrop'
import { MAX_TRACES, readXyOptions, suggestTrace, traceSignals, type XyOptions, type XyTrace } from './options'
import { fillPoints, pointOfRow, type XyPoints } from './points'
import { fillTrail, fitView, nearestSample, panView, sampleAtTime, TrailBuffers, trailBounds, zoomView, type Bounds } from './trail'
import { xyKey } from './xyKeys'
import './xy.css'

const AXIS_FONT = '11px system-ui, sans-serif'
/** Points drawn per trace at most: a 10-minute window at 60 Hz is thinned to this. */
const MAX_POINTS = 4096
/** How near (CSS px) the pointer must be to a sample for hovering to set the shared cursor there. */
const HOVER_RADIUS = 24
const WINDOW_LABELS: Record<number, string> = { 10: '10 s', 60: '1 min', 600: '10 min' }

/** The time range a trail covers: the shared view, or its own window ending at the newest sample. */
function trailTimes(options: XyOptions): [number, number] {
  const s = useConsole.getState()
  if (options.window === 'shared') return visibleRange(s.view.live, s.view.windowS, s.view.min, s.view.max)
  const h = telemetry.history
  const end = h.length > 0 ? h.lastTime : 0
  return [end - options.window, end]
}

/** Draws a dataset's points as small circles (no line: the points are runs, not a trajectory). */
function dotsPath(out: TrailBuffers): uPlot.Series.PathBuilder {
  return (u) => {
    const stroke = new Path2D()
    const xs = out.xs[0]
    const ys = out.ys[0]
    if (!xs || !ys) return { stroke }
    const r = 2.5 * devicePixelRatio
    for (let j = 0; j < out.length; j++) {
      const x = xs[j]!
      const y = ys[j]!
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue
      const px = u.valToPos(x, 'x', true)
      const py = u.valToPos(y, 'y', true)
      stroke.moveTo(px + r, py)
      stroke.arc(px, py, r, 0, 2 * Math.PI)
    }
    return { stroke }
  }
}

/** Draws a trace as a polyline in sample order (uPlot's own lines assume x ascends); NaN breaks the line. */
function trailPath(out: TrailBuffers): uPlot.Series.PathBuilder {
  return (u, seriesIdx) => {
    const stroke = new Path2D()
    const xs = out.xs[seriesIdx - 1]
    const ys = out.ys[seriesIdx - 1]
    if (!xs || !ys) return { stroke }
    let pen = false
    for (let j = 0; j < out.length; j++) {
      const x = xs[j]!
      const y = ys[j]!
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false
        continue
      }
      const px = u.valToPos(x, 'x', true)
      const py = u.valToPos(y, 'y', true)
      if (pen) stroke.lineTo(px, py)
      else stroke.moveTo(px, py)
      pen = true
    }
    return { stroke }
  }
}

/**
 * A trace's colour: its Y signal's console-wide colour, so the trajectory matches that signal on every
 * time plot; a second trace of the same Y gets a colour of its own.
 */
function traceColor(traces: readonly XyTrace[], i: number, theme: 'dark' | 'light'): string {
  const t = traces[i]
  if (!t) return signalColor('', theme)
  const first = traces.findIndex((o) => o.y === t.y)
  return signalColor(first === i ? t.y : `${t.x} → ${t.y}`, theme)
}

function axisLabel(names: readonly string[], units: ReadonlyMap<string, string>): string {
  const unique = [...new Set(names)]
  const unitsOf = [...new Set(unique.map((n) => units.get(n) ?? ''))].filter(Boolean)
  const label = unique.length <= 2 ? unique.join(', ') : `${unique[0]} and ${unique.length - 1} more`
  return unitsOf.length > 0 ? `${label} [${unitsOf.join(', ')}]` : label
}

export function XyPanel({ panel, points }: { panel: PanelConfig; points?: XyPoints }) {
  const { options, errors } = useMemo(() => readXyOptions(panel.options), [panel.options])
  const signals = useConsole((s) => s.signals)
  const theme = useConsole((s) => s.theme)
  const setPanelOptions = useConsole((s) => s.setPanelOptions)
  const setPanelSignals = useConsole((s) => s.setPanelSignals)
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const buffers = useRef<TrailBuffers | null>(null)
  /** The view the person chose (zoom or pan), or null to fit the trail as it moves (live). */
  const userView = useRef<Bounds | null>(null)
  const shownView = useRef<Bounds | null>(null)
  const optionsRef = useRef(options)
  optionsRef.current = options
  const [following, setFollowing] = useState(true)
  const [readout, setReadout] = useState('')
  /** The X of a first trace dropped from the tree, waiting for its Y. */
  const [pendingX, setPendingX] = useState<string | null>(null)
  const pointsRef = useRef(points)
  pointsRef.current = points
  const traces = points ? [{ x: points.xLabel, y: points.yLabel }] : options.traces
  // A dataset's panel is rebuilt when its axes or its number of points change (the buffers are sized to them).
  const key = JSON.stringify(traces) + (points ? `#${points.x.length}` : '')
  const units = useMemo(() => new Map(signals.map((s) => [s.name, s.unit])), [signals])
  const labels = useMemo(() => ({ x: axisLabel(traces.map((t) => t.x), units), y: axisLabel(traces.map((t) => t.y), units) }), [key, units])
  const dataset = points !== undefined

  // The panel's signals are its traces' signals, so the console subscribes them.
  const wanted = traceSignals(traces)
  const signalsKey = wanted.join('\n')
  useEffect(() => {
    if (panel.signals.join('\n') !== signalsKey) setPanelSignals(panel.id, wanted)
  }, [signalsKey, panel.signals.join('\n')])

  const setTraces = (next: XyTrace[]): void => {
    setPanelOptions(panel.id, { traces: next })
    setPanelSignals(panel.id, traceSignals(next))
  }

  const setUserView = (v: Bounds | null): void => {
    userView.current = v
    setFollowing(v === null)
  }

  useEffect(() => {
    const el = host.current
    if (!el) return
    const colors = axisColors()
    const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.tick, width: 1 }, font: AXIS_FONT, labelSize: 14, labelFont: AXIS_FONT }
    // uPlot's XY mode needs one series at least: an empty panel draws one with no data.
    const drawnTraces: XyTrace[] = traces.length > 0 ? traces : [{ x: '', y: '' }]
    const fromPoints = pointsRef.current
    const out = (buffers.current = new TrailBuffers(fromPoints ? Math.max(1, fromPoints.x.length) : MAX_POINTS, drawnTraces.length))
    const strokes = drawnTraces.map((_, i) => traceColor(drawnTraces, i, theme))
    let columns: (readonly [number, number])[] = []
    let generation = -1
    const drawn = { version: -1, generation: -1, tMin: NaN, tMax: NaN, cursor: NaN as number | null, view: null as Bounds | null, width: 0, height: 0, equal: false }
    let hovering = false
    /** A dataset's point under the pointer: its row, or -1. */
    let hoverRow = -1
    let drawnPoints = { version: '', selected: null as number | null }
    const opts: uPlot.Options = {
      mode: 2,
      width: Math.max(100, el.clientWidth),
      height: Math.max(80, el.clientHeight),
      legend: { show: false },
      scales: { x: { time: false, auto: false }, y: { auto: false } },
      axes: [
        { ...axis, label: labels.x, size: 36 },
        { ...axis, label: labels.y, size: 60 }
      ],
      series: [
        {},
        ...drawnTraces.map((t, i) => ({
          label: `${t.y} against ${t.x}`,
          stroke: strokes[i],
          // 1 px, as the time plots: wider lines are several times slower in software rendering.
          width: 1,
          paths: fromPoints ? dotsPath(out) : trailPath(out),
          points: { show: false },
          facets: [
            { scale: 'x', auto: false },
            { scale: 'y', auto: false }
          ]
        }))
      ] as uPlot.Series[],
      cursor: {
        // The nearest sample is found by this panel (uPlot's own search assumes x ascends).
        dataIdx: () => null,
        points: { show: false },
        drag: { x: true, y: true, setScale: false },
        bind: { dblclick: () => null }
      },
      hooks: {
        setSelect: [
          (u) => {
            const sel = u.select
            if (sel.width < 4 || sel.height < 4) return
            const v = { xMin: u.posToVal(sel.left, 'x'), xMax: u.posToVal(sel.left + sel.width, 'x'), yMin: u.posToVal(sel.top + sel.height, 'y'), yMax: u.posToVal(sel.top, 'y') }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
            setUserView(v)
          }
        ],
        setCursor: [
          (u) => {
            const left = u.cursor.left ?? -1
            const top = u.cursor.top ?? -1
            const view = shownView.current
            if (fromPoints) {
              const j = left < 0 || top < 0 || !view ? -1 : nearestSample(out, left, top, view, u.bbox.width / devicePixelRatio, u.bbox.height / devicePixelRatio, HOVER_RADIUS)
              hoverRow = j >= 0 ? out.t[j]! : -1
              u.over.style.cursor = hoverRow >= 0 ? 'pointer' : ''
              return
            }
            if (left < 0 || top < 0 || !view) {
              if (hovering) useConsole.getState().setCursor(null)
              hovering = false
              return
            }
            const j = nearestSample(out, left, top, view, u.bbox.width / devicePixelRatio, u.bbox.height / devicePixelRatio, HOVER_RADIUS)
            hovering = j >= 0
            useConsole.getState().setCursor(j >= 0 ? out.t[j]! : null)
          }
        ],
        draw: [(u) => (fromPoints ? drawSelected(u, out, pointsRef.current?.selected ?? null, strokes[0]!, theme) : drawMarks(u, out, strokes, theme))]
      }
    }
    const data = [null, ...drawnTraces.map((_, i) => [out.xs[i]!, out.ys[i]!])] as unknown as uPlot.AlignedData
    const u = new uPlot(opts, data, el)
    plot.current = u

    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const v = userView.current ?? shownView.current
      if (!v) return
      const rect = u.over.getBoundingClientRect()
      const x = u.posToVal(e.clientX - rect.left, 'x')
      const y = u.posToVal(e.clientY - rect.top, 'y')
      setUserView(zoomView(v, x, y, e.deltaY > 0 ? 1.25 : 0.8))
    }
    // Shift+drag pans; the listener runs before uPlot's (capture on an ancestor), so no selection starts.
    let panFrom: { x: number; y: number; view: Bounds } | null = null
    const onDown = (e: MouseEvent): void => {
      if (!e.shiftKey || e.button !== 0 || !shownView.current) return
      e.stopPropagation()
      e.preventDefault()
      panFrom = { x: e.clientX, y: e.clientY, view: userView.current ?? shownView.current }
    }
    const onMove = (e: MouseEvent): void => {
      if (!panFrom) return
      const v = panFrom.view
      const w = u.bbox.width / devicePixelRatio
      const h = u.bbox.height / devicePixelRatio
      setUserView(panView(v, (-(e.clientX - panFrom.x) * (v.xMax - v.xMin)) / w, ((e.clientY - panFrom.y) * (v.yMax - v.yMin)) / h))
    }
    const onUp = (): void => {
      panFrom = null
    }
    const onDblClick = (): void => setUserView(null)
    // A click without a drag on a dataset's point picks its row.
    const onClick = (): void => {
      if (hoverRow >= 0) pointsRef.current?.onPick(hoverRow)
    }
    u.over.addEventListener('click', onClick)
    u.over.addEventListener('wheel', onWheel, { passive: false })
    u.root.addEventListener('mousedown', onDown, true)
    window.addEventListener('mousemove', onMove)
    window.addEventListener('mouseup', onUp)
    u.over.addEventListener('dblclick', onDblClick)
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(100, el.clientWidth), height: Math.max(80, el.clientHeight) }))
    resize.observe(el)

    const stopDrawing = onAnimationFrame(() => {
      const p = pointsRef.current
      if (p) {
        const width = u.bbox.width / devicePixelRatio
        const height = u.bbox.height / devicePixelRatio
        const o = optionsRef.current
        const moved = p.version !== drawnPoints.version || userView.current !== drawn.view || width !== drawn.width || height !== drawn.height || o.equalAspect !== drawn.equal
        if (!moved) {
          if (p.selected !== drawnPoints.selected) u.redraw(false)
          drawnPoints = { version: p.version, selected: p.selected }
          return
        }
        drawnPoints = { version: p.version, selected: p.selected }
        drawn.view = userView.current
        drawn.width = width
        drawn.height = height
        drawn.equal = o.equalAspect
        fillPoints(p, out)
        const v = userView.current ?? fitView(trailBounds(out), width, height, o.equalAspect)
        shownView.current = v
        u.batch(() => {
          u.setScale('x', { min: v.xMin, max: v.xMax })
          u.setScale('y', { min: v.yMin, max: v.yMax })
        })
        return
      }
      const s = useConsole.getState()
      const o = optionsRef.current
      const [tMin, tMax] = trailTimes(o)
      const history = telemetry.history
      const width = u.bbox.width / devicePixelRatio
      const height = u.bbox.height / devicePixelRatio
      const dataMoved = history.version !== drawn.version || telemetry.generation !== drawn.generation || tMin !== drawn.tMin || tMax !== drawn.tMax
      const viewMoved = userView.current !== drawn.view || width !== drawn.width || height !== drawn.height || o.equalAspect !== drawn.equal
      if (!dataMoved && !viewMoved) {
        // Only the shared cursor moved: the marks are redrawn, the paths kept.
        if (s.cursorTime !== drawn.cursor) {
          drawn.cursor = s.cursorTime
          u.redraw(false)
        }
        return
      }
      if (telemetry.generation !== generation) {
        generation = telemetry.generation
        columns = drawnTraces.map((t) => [history.indexOf(t.x), history.indexOf(t.y)] as const)
      }
      drawn.version = history.version
      drawn.generation = telemetry.generation
      drawn.tMin = tMin
      drawn.tMax = tMax
      drawn.view = userView.current
      drawn.width = width
      drawn.height = height
      drawn.equal = o.equalAspect
      drawn.cursor = s.cursorTime
      fillTrail(history, columns, tMin, tMax, out)
      const v = userView.current ?? fitView(trailBounds(out), width, height, o.equalAspect)
      shownView.current = v
      // Setting the x scale rebuilds every path, whether or not the view moved (uPlot's rule).
      u.batch(() => {
        u.setScale('x', { min: v.xMin, max: v.xMax })
        u.setScale('y', { min: v.yMin, max: v.yMax })
      })
    })
    return () => {
      stopDrawing()
      resize.disconnect()
      u.over.removeEventListener('wheel', onWheel)
      u.root.removeEventListener('mousedown', onDown, true)
      window.removeEventListener('mousemove', onMove)
      window.removeEventListener('mouseup', onUp)
      u.over.removeEventListener('dblclick', onDblClick)
      u.over.removeEventListener('click', onClick)
      u.destroy()
      plot.current = null
      buffers.current = null
      shownView.current = null
    }
    // The chart is rebuilt when its traces, their labels or the theme change; the rest flows through the draw loop.
  }, [key, theme, labels.x, labels.y])

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const out = buffers.current
    const s = useConsole.getState()
    const p = pointsRef.current
    if (p && out && (e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.shiftKey) {
      // Left and Right step through the dataset's points (its rows in table order), selecting each.
      e.preventDefault()
      if (out.length === 0) return
      const at = pointOfRow(out, p.selected)
      const j = at < 0 ? 0 : Math.max(0, Math.min(out.length - 1, at + (e.key === 'ArrowRight' ? 1 : -1)))
      p.onPick(out.t[j]!)
      setReadout(`${p.describe(out.t[j]!)}: ${p.xLabel} ${formatValue(out.xs[0]![j]!)}, ${p.yLabel} ${formatValue(out.ys[0]![j]!)}`)
      return
    }
    const range: [number, number] = out && out.length > 0 ? [out.t[0]!, out.t[out.length - 1]!] : [0, 0]
    const effect = xyKey(e.key, e.shiftKey, range, s.cursorTime)
    if (!effect) return
    e.preventDefault()
    const v = userView.current ?? shownView.current
    if ('live' in effect) {
      setUserView(null)
      setReadout('live: the view follows the trail')
    } else if ('pan' in effect) {
      if (v) setUserView(panView(v, effect.pan[0] * (v.xMax - v.xMin), effect.pan[1] * (v.yMax - v.yMin)))
    } else if ('zoom' in effect) {
      if (v) setUserView(zoomView(v, (v.xMin + v.xMax) / 2, (v.yMin + v.yMax) / 2, effect.zoom))
    } else if (out) {
      s.setCursor(effect.cursor)
      setReadout(describeSample(out, sampleAtTime(out, effect.cursor), traces))
    }
  }

  const dropSignal = (name: string): void => {
    const last = traces[traces.length - 1]
    if (traces.length >= MAX_TRACES) return
    // A signal dropped on an empty panel becomes X; then each one is drawn against the last X.
    if (!last) setPendingX(name)
    else setTraces([...traces, { x: last.x, y: name }])
  }
  const drop = useSignalDrop(([name]) => {
    if (pendingX && traces.length === 0) {
      setPendingX(null)
      setTraces([{ x: pendingX, y: name! }])
    } else dropSignal(name!)
  })

  const names = signals.map((s) => s.name)
  const windowValue = options.window === 'shared' ? 'shared' : String(options.window)
  return (
    <div
      className={`plot xy${drop.dropping ? ' dropping' : ''}`}
      {...drop.handlers}
    >
      {!dataset && <div className="xy-tools" role="toolbar" aria-label={`${panel.title} traces`}>
        {traces.map((t, i) => (
          <span className="xy-trace" key={i} data-trace={i}>
            <span className="swatch" style={{ background: traceColor(traces, i, theme) }} />
            <SignalSelect label={`Trace ${i + 1} X`} value={t.x} names={names} onChange={(x) => setTraces(traces.map((o, k) => (k === i ? { ...o, x } : o)))} />
            <span className="xy-vs">→</span>
            <SignalSelect label={`Trace ${i + 1} Y`} value={t.y} names={names} onChange={(y) => setTraces(traces.map((o, k) => (k === i ? { ...o, y } : o)))} />
            <button className="mini" aria-label={`Remove trace ${i + 1}`} title="Remove this trace" onClick={() => setTraces(traces.filter((_, k) => k !== i))}>
              ×
            </button>
          </span>
        ))}
        <button
          className="mini"
          disabled={traces.length >= MAX_TRACES || names.length < 2}
          title="Add a trace (an X signal and a Y signal)"
          onClick={() => {
            const next = suggestTrace(traces, signals)
            if (next) setTraces([...traces, next])
          }}
        >
          + trace
        </button>
        <select
          aria-label="Trail window"
          title="How much time the trail covers: the time plots' view, or its own window"
          value={windowValue}
          onChange={(e) => setPanelOptions(panel.id, { window: e.target.value === 'shared' ? 'shared' : Number(e.target.value) })}
        >
          <option value="shared">shared window</option>
          {WINDOWS_S.map((w) => (
            <option key={w} value={String(w)}>
              {WINDOW_LABELS[w]}
            </option>
          ))}
          {options.window !== 'shared' && !(WINDOWS_S as readonly number[]).includes(options.window) && <option value={windowValue}>{options.window} s</option>}
        </select>
        <label className="xy-check">
          <input
            type="checkbox"
            checked={options.equalAspect}
            onChange={(e) => {
              setPanelOptions(panel.id, { equalAspect: e.target.checked })
              setUserView(null)
            }}
          />
          equal aspect
        </label>
        <button className="mini" disabled={following} onClick={() => setUserView(null)} title="Follow the trail again (or double-click the plot)">
          {following ? 'Live' : 'Go live'}
        </button>
      </div>}
      {errors.length > 0 && (
        <div className="xy-errors" role="alert">
          This panel's saved options were not all usable; defaults are used for: {errors.join('; ')}
        </div>
      )}
      <div
        className="plot-canvas"
        ref={host}
        data-testid={`xy-${panel.id}`}
        tabIndex={0}
        role="application"
        aria-roledescription="XY plot"
        aria-label={
          points
            ? `${panel.title}: ${points.yLabel} against ${points.xLabel}, ${points.x.length} points. Left and Right select the previous or next run, Shift+arrows pan, plus and minus zoom, L fits every point.`
            : `${panel.title}: ${traces.length === 0 ? 'no traces' : traces.map((t) => `${t.y} against ${t.x}`).join(', ')}. Left and Right move the cursor along the trail in time, Shift+arrows pan, plus and minus zoom, L returns to live.`
        }
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (!dataset) useConsole.getState().setCursor(null)
        }}
      />
      <div className="sr-only" role="status" aria-live="polite" data-testid={`xy-readout-${panel.id}`}>
        {readout}
      </div>
      {!dataset && traces.length === 0 && <div className="plot-empty">{pendingX ? `X is ${pendingX}: drop a Y signal` : 'Add a trace, or drag an X and then a Y signal here'}</div>}
    </div>
  )
}

function SignalSelect({ label, value, names, onChange }: { label: string; value: string; names: readonly string[]; onChange(name: string): void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {!names.includes(value) && <option value={value}>{value} (not in this run)</option>}
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  )
}

/** The newest point of each trace as a filled dot, and the sample at the shared cursor's time as a ring. */
function drawMarks(u: uPlot, out: TrailBuffers, strokes: readonly string[], theme: 'dark' | 'light'): void {
  const n = out.length
  if (n === 0) return
  const ctx = u.ctx
  const cursor = useConsole.getState().cursorTime
  const at = cursor !== null && cursor >= out.t[0]! - 1e-9 && cursor <= out.t[n - 1]! + 1e-9 ? sampleAtTime(out, cursor) : -1
  const outline = theme === 'dark' ? '#0f1115' : '#ffffff'
  ctx.save()
  ctx.beginPath()
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height)
  ctx.clip()
  for (let s = 0; s < out.traces; s++) {
    mark(u, out.xs[s]![n - 1]!, out.ys[s]![n - 1]!, strokes[s]!, outline)
    if (at >= 0) mark(u, out.xs[s]![at]!, out.ys[s]![at]!, strokes[s]!, null)
  }
  ctx.restore()
}

/** A dataset's selected point: a ring, larger than the dots. */
function drawSelected(u: uPlot, out: TrailBuffers, row: number | null, color: string, theme: 'dark' | 'light'): void {
  const j = pointOfRow(out, row)
  if (j < 0) return
  const ctx = u.ctx
  ctx.save()
  ctx.beginPath()
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height)
  ctx.clip()
  mark(u, out.xs[0]![j]!, out.ys[0]![j]!, theme === 'dark' ? '#ffffff' : '#000000', null)
  mark(u, out.xs[0]![j]!, out.ys[0]![j]!, color, theme === 'dark' ? '#0f1115' : '#ffffff')
  ctx.restore()
}

/** A filled dot with an outline (the newest point), or with no outline a ring (the cursor's sample). */
function mark(u: uPlot, x: number, y: number, color: string, outline: string | null): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return
  const ctx = u.ctx
  const dpr = devicePixelRatio
  ctx.beginPath()
  ctx.arc(u.valToPos(x, 'x', true), u.valToPos(y, 'y', true), (outline ? 4 : 6) * dpr, 0, 2 * Math.PI)
  ctx.lineWidth = 2 * dpr
  ctx.strokeStyle = outline ?? color
  if (outline) {
    ctx.fillStyle = color
    ctx.fill()
  }
  ctx.stroke()
}

function describeSample(out: TrailBuffers, j: number, traces: readonly XyTrace[]): string {
  if (j < 0) return 'no data'
  const parts = traces.map((t, s) => `${t.x} ${formatValue(out.xs[s]![j]!)}, ${t.y} ${formatValue(out.ys[s]![j]!)}`)
  return `t ${out.t[j]!.toFixed(3)} s: ${parts.join('; ')}`
}
