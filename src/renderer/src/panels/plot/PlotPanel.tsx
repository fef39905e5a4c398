// A plot panel: a uPlot chart of any number of signals over the shared time view, one y axis per unit
// (up to three), each signal in its console-wide colour, with a legend of values under the cursor and
// statistics over the visible window; legend clicks hide or solo a signal.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { zoomLoader } from '../../history/zoom'
import { useConsole, type PanelConfig } from '../../store/store'
import type { History } from '../../telemetry/history'
import { onAnimationFrame } from '../../telemetry/animation'
import { decimateWindow, WindowBuffers } from '../../telemetry/decimate'
import { telemetry, visibleRange } from '../../telemetry/telemetry'
import { planAxes, type UnitPlan } from './axes'
import { axisColors, signalColor } from './colors'
import { downloadText, historyCsv } from './csv'
import { formatValue, Legend } from './Legend'
import { limitBands } from './limitBands'
import { readPlotOptions } from './options'
import { plotKey } from './plotKeys'
import { useSignalDrop } from '../signalDrop'
import { plotStrips, StripSeries } from './stripSeries'
import { TIME_AXIS_HEIGHT, TimeAxis, timeTicks } from './timeAxis'
import { holdRange } from './yRange'


const AXIS_FONT = '11px system-ui, sans-serif'

/** The extremes of the shown series among `series` (indices into the buffers); lo > hi when none. */
function dataRange(buffers: WindowBuffers, series: readonly number[], shown: readonly boolean[]): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const s of series) {
    if (!shown[s]) continue
    const y = buffers.ys[s]!
    for (let k = 0; k < buffers.length; k++) {
      const v = y[k]!
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  return [lo, hi]
}

export function PlotPanel({ panel }: { panel: PanelConfig }) {
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  /** Brings uPlot's data and scales up to date before something reads them (see syncChart). */
  const syncPlot = useRef<() => void>(() => undefined)
  const buffers = useRef<WindowBuffers | null>(null)
  // What a screen reader hears when the cursor is moved from the keyboard.
  const [readout, setReadout] = useState('')
  const addSignal = useConsole((s) => s.addSignal)
  const drop = useSignalDrop(([name]) => addSignal(name!, panel.id))
  const signals = panel.signals
  const key = signals.join('\n')
  const theme = useConsole((s) => s.theme)
  const schemaSignals = useConsole((s) => s.signals)
  const units = useMemo(() => new Map(schemaSignals.map((s) => [s.name, s.unit])), [schemaSignals])
  const plan: UnitPlan = useMemo(() => planAxes(signals, (n) => units.get(n) ?? ''), [key, units])
  const planKey = plan.axes.map((a) => `${a.label}:${a.series.join(',')}`).join('|')
  const hidden = readPlotOptions(panel.options).options.hidden
  const hiddenKey = hidden.join('\n')
  /** Whether each series is drawn (not hidden from the legend); read by the draw loop, set below. */
  const shown = useRef<boolean[]>([])
  /** Bumped when the hidden set changes, so the draw loop re-ranges the y axes. */
  const shownVersion = useRef(0)

  useEffect(() => {
    const el = host.current
    if (!el) return
    const colors = axisColors()
    const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.tick, width: 1 }, font: AXIS_FONT }
    // The time axis is drawn under the chart (timeAxis.ts), not by uPlot.
    const chartHeight = (): number => Math.max(80, el.clientHeight - TIME_AXIS_HEIGHT)
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: chartHeight(),
      legend: { show: false },
      plugins: [limitBands(signals)],
      // Every y scale is ranged by the draw loop over the shown series; none is ranged by uPlot.
      scales: { x: { time: false, auto: false }, y: { auto: false }, y2: { auto: false }, y3: { auto: false } },
      axes: [
        { show: false },
        // One axis per unit, labelled with it: the first on the left, the others on the right.
        ...plan.axes.map((a, i) => ({
          ...axis,
          scale: a.scale,
          side: i === 0 ? 3 : 1,
          label: a.label,
          labelSize: 14,
          labelFont: AXIS_FONT,
          size: 56,
          grid: i === 0 ? axis.grid : { show: false }
        }))
      ],
      series: [
        {},
        // uPlot draws no line (StripSeries does); the series stay for the cursor's points and scales.
        ...signals.map((s, i) => ({ label: s, scale: plan.scaleOf[i], show: shown.current[i] ?? true, stroke: signalColor(s, theme), width: 1, points: { show: false }, paths: () => null }))
      ],
      cursor: {
        sync: { key: 'hermes', setSeries: false },
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
        // A double-click returns to the live window (below), not to uPlot's own full range.
        bind: { dblclick: () => null }
      },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return
            const min = u.posToVal(u.select.left, 'x')
            const max = u.posToVal(u.select.left + u.select.width, 'x')
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
            useConsole.getState().freezeView(min, max)
          }
        ],
        setCursor: [
          (u) => {
            // uPlot calls this when it redraws too; a redraw made while the shared cursor is being
            // shown here must not write the cursor back (it would undo what it is showing).
            if (quietCursor) return
            const left = u.cursor.left
            useConsole.getState().setCursor(left === undefined || left < 0 ? null : u.posToVal(left, 'x'))
          }
        ]
      }
    }
    let quietCursor = false
    const data: uPlot.AlignedData = [new Float64Array(0), ...signals.map(() => new Float64Array(0))]
    const u = new uPlot(opts, data, el)
    plot.current = u
    buffers.current = null
    const strip = new StripSeries(u.over)
    plotStrips.set(panel.id, strip)
    const timeAxis = new TimeAxis(el, AXIS_FONT, 'time (s)')
    const colorsOf = signals.map((s) => signalColor(s, theme))
    /**
     * What uPlot was last given, and what it should show now. A frame that only slid the live window
     * leaves uPlot as it was (nothing it draws moved), unless the pointer is over the chart: its cursor
     * reads uPlot's data and scales. Everything that reads them first brings them up to date.
     */
    const chart = { stale: false, hovered: false, ranges: '', frame: null as { length: number; min: number; max: number; ranges: [string, [number, number]][] } | null }
    const syncChart = (): void => {
      const f = chart.frame
      const out = buffers.current
      if (!chart.stale || !f || !out) return
      chart.stale = false
      strip.counts.chart++
      u.batch(() => {
        u.setData([out.x.subarray(0, f.length), ...out.ys.map((y) => y.subarray(0, f.length))] as uPlot.AlignedData, false)
        u.setScale('x', { min: f.min, max: f.max })
        for (const [scale, range] of f.ranges) u.setScale(scale, { min: range[0], max: range[1] })
      })
    }
    const onEnter = (): void => {
      chart.hovered = true
      syncChart()
    }
    const onLeave = (): void => {
      chart.hovered = false
    }
    /** syncChart for readers of the scales other than the pointer: the cursor stays where it was. */
    const syncQuietly = (): void => {
      quietCursor = true
      try {
        syncChart()
      } finally {
        quietCursor = false
      }
    }
    syncPlot.current = syncQuietly
    u.over.addEventListener('pointerenter', onEnter)
    u.over.addEventListener('pointerleave', onLeave)
    /** Each y axis's range as last shown: held while the data stays inside (yRange.ts). */
    const held = new Map<string, [number, number]>()
    // Wheel zooms the shared view around the cursor; the view leaves live mode to do it.
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      syncQuietly()
      const s = useConsole.getState()
      const [min, max] = visibleRange(s.view.live, s.view.windowS, s.view.min, s.view.max)
      const rect = u.over.getBoundingClientRect()
      const at = u.posToVal(e.clientX - rect.left, 'x')
      const factor = e.deltaY > 0 ? 1.25 : 0.8
      if (e.shiftKey) {
        const shift = (max - min) * 0.1 * Math.sign(e.deltaY)
        s.freezeView(min + shift, max + shift)
      } else {
        s.freezeView(at - (at - min) * factor, at + (max - at) * factor)
      }
    }
    u.over.addEventListener('wheel', onWheel, { passive: false })
    const onDblClick = (): void => useConsole.getState().goLive()
    u.over.addEventListener('dblclick', onDblClick)
    // The shared cursor set elsewhere (an XY trace hovered) is marked here too. A cursor this plot shows
    // from its own pointer or from a synced plot is left alone; hooks do not fire, so nothing echoes.
    let external = false
    const setCursorQuietly = u.setCursor as (opts: { left: number; top: number }, fireHook?: boolean, pub?: boolean) => void
    const stopCursor = useConsole.subscribe((s, prev) => {
      if (s.cursorTime === prev.cursorTime) return
      syncQuietly()
      const left = u.cursor.left ?? -1
      if (left >= 0 && !external) return
      const t = s.cursorTime
      external = t !== null
      setCursorQuietly(t === null ? { left: -10, top: -10 } : { left: u.valToPos(t, 'x'), top: u.bbox.height / devicePixelRatio / 2 }, false, false)
    })
    zoomLoader.setWidth(panel.id, Math.max(100, el.clientWidth))
    const resize = new ResizeObserver(() => {
      u.setSize({ width: Math.max(100, el.clientWidth), height: chartHeight() })
      zoomLoader.setWidth(panel.id, Math.max(100, el.clientWidth))
      lastDrawn.version = -1
      lastDrawn.newest = NaN
    })
    resize.observe(el)
    const lastDrawn = { version: -1, generation: -1, edits: -1, min: NaN, max: NaN, length: 0, newest: NaN, columns: [] as number[], shown: shownVersion.current, source: null as History | null }
    const stopDrawing = onAnimationFrame(() => {
      const s = useConsole.getState()
      let [min, max] = visibleRange(s.view.live, s.view.windowS, s.view.min, s.view.max)
      if (s.view.live) {
        // The live window moves by whole pixel columns, so what is drawn can be moved rather than redrawn.
        const column = (max - min) / Math.max(1, u.bbox.width)
        max = Math.floor(max / column) * column
        min = max - s.view.windowS
      }
      // Zoomed into the past: the range loaded from the server at full resolution, once it has come.
      const history = zoomLoader.historyFor(s.view)
      const sameData = history === lastDrawn.source && history.version === lastDrawn.version && telemetry.generation === lastDrawn.generation && shownVersion.current === lastDrawn.shown
      if (sameData && min === lastDrawn.min && max === lastDrawn.max) return
      // Live data only grows at the right and the live window only slides: until either has moved by a
      // pixel column the picture cannot change. Samples rewritten in place (a set while paused), a
      // replaced or cleared history, a zoom or a resize always redraw.
      const pixelS = (max - min) / Math.max(1, u.bbox.width / devicePixelRatio)
      const newest = history.length > 0 ? history.lastTime : NaN
      const onlyAppended = history === lastDrawn.source && telemetry.generation === lastDrawn.generation && history.edits === lastDrawn.edits && shownVersion.current === lastDrawn.shown && history.length >= lastDrawn.length && newest > lastDrawn.newest
      const slidOnly = s.view.live && Math.abs(max - min - (lastDrawn.max - lastDrawn.min)) < pixelS / 100 && max >= lastDrawn.max
      // (A live window moves by whole columns: a move of one is "a pixel", whatever the rounding.)
      const under = pixelS * (1 - 1e-6)
      if (onlyAppended && slidOnly && max - lastDrawn.max < under && newest - lastDrawn.newest < under) return
      // A hidden or shown series sets every range afresh.
      if (shownVersion.current !== lastDrawn.shown) held.clear()
      const onlyAppendedAndSlid = onlyAppended && slidOnly
      lastDrawn.length = history.length
      lastDrawn.newest = newest
      lastDrawn.edits = history.edits
      if (telemetry.generation !== lastDrawn.generation || history !== lastDrawn.source) lastDrawn.columns = signals.map((n) => history.indexOf(n))
      lastDrawn.source = history
      lastDrawn.version = history.version
      lastDrawn.generation = telemetry.generation
      lastDrawn.min = min
      lastDrawn.max = max
      lastDrawn.shown = shownVersion.current
      const buckets = Math.max(16, Math.round(u.bbox.width / devicePixelRatio))
      let out = buffers.current
      if (!out || out.buckets !== buckets) out = buffers.current = new WindowBuffers(buckets, signals.length)
      const wasDecimated = out.decimated
      decimateWindow(history, lastDrawn.columns, min, max, out)
      const length = out.length
      // Columns drawn from every sample and columns drawn from min and max differ by a shade: moving
      // what was drawn needs the same kind of both.
      const appendOnly = onlyAppendedAndSlid && wasDecimated === out.decimated
      const scales: ([number, number] | null)[] = signals.map(() => null)
      const ranges: [string, [number, number]][] = []
      for (const a of plan.axes) {
        const [lo, hi] = dataRange(out, a.series, shown.current)
        const range = holdRange(held.get(a.scale) ?? null, lo, hi)
        held.set(a.scale, range)
        ranges.push([a.scale, range])
        for (const i of a.series) if (shown.current[i]) scales[i] = range
      }
      const rangesKey = ranges.map(([scale, r]) => `${scale}:${r[0]},${r[1]}`).join(';')
      chart.frame = { length, min, max, ranges }
      chart.stale = true
      if (!appendOnly || chart.hovered || rangesKey !== chart.ranges) syncChart()
      chart.ranges = rangesKey
      const dpr = devicePixelRatio
      const ticks = timeTicks(max - min, u.bbox.width / dpr)
      timeAxis.draw(min, max, u.bbox.left / dpr, u.bbox.width / dpr, el.clientWidth, dpr, colors)
      strip.draw({ x: out.x, ys: out.ys, length, min, max, scales, colors: colorsOf, appendOnly, grid: { step: ticks.step, color: colors.grid } }, u.bbox.width, u.bbox.height, dpr)
    })
    return () => {
      stopDrawing()
      plotStrips.delete(panel.id)
      strip.destroy()
      timeAxis.destroy()
      resize.disconnect()
      zoomLoader.dropWidth(panel.id)
      u.over.removeEventListener('wheel', onWheel)
      u.over.removeEventListener('dblclick', onDblClick)
      u.over.removeEventListener('pointerenter', onEnter)
      u.over.removeEventListener('pointerleave', onLeave)
      stopCursor()
      syncPlot.current = () => undefined
      u.destroy()
      plot.current = null
    }
    // The chart is rebuilt when its signals, their axes or the theme change; everything else flows through the draw loop.
  }, [key, theme, planKey])

  // Hiding a signal shows or hides its series in place, without rebuilding the chart.
  useEffect(() => {
    const hide = new Set(hidden)
    shown.current = signals.map((s) => !hide.has(s))
    shownVersion.current++
    const u = plot.current
    if (!u) return
    u.batch(() => signals.forEach((_, i) => u.series[i + 1] && u.series[i + 1]!.show !== shown.current[i] && u.setSeries(i + 1, { show: shown.current[i]! })))
  }, [hiddenKey, key, planKey, theme])

  const exportCsv = (whole: boolean): void => {
    const s = useConsole.getState()
    const h = telemetry.history
    const [min, max] = whole ? [h.firstTime, h.lastTime] : visibleRange(s.view.live, s.view.windowS, s.view.min, s.view.max)
    downloadText(`${panel.title.replace(/\W+/g, '_')}${whole ? '_all' : ''}.csv`, historyCsv(h, signals, min, max))
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const s = useConsole.getState()
    const range = visibleRange(s.view.live, s.view.windowS, s.view.min, s.view.max)
    const effect = plotKey(e.key, e.shiftKey, range, s.cursorTime)
    if (!effect) return
    e.preventDefault()
    if ('live' in effect) {
      s.goLive()
      setReadout('live')
      return
    }
    if ('view' in effect) s.freezeView(effect.view[0], effect.view[1])
    const t = effect.cursor
    if (t === undefined) return
    s.setCursor(t)
    const u = plot.current
    syncPlot.current()
    if (u) u.setCursor({ left: u.valToPos(t, 'x'), top: u.bbox.height / devicePixelRatio / 2 }, false)
    setReadout(describeCursor(t, signals))
  }

  return (
    <div
      className={`plot${drop.dropping ? ' dropping' : ''}`}
      {...drop.handlers}
    >
      <div
        className="plot-canvas"
        ref={host}
        data-testid={`plot-${panel.id}`}
        tabIndex={0}
        role="application"
        aria-roledescription="time plot"
        aria-label={`${panel.title}: ${signals.length === 0 ? 'no signals' : signals.join(', ')}${signals.length > 0 ? `; y axes: ${plan.axes.map((x) => x.label).join('; ')}` : ''}. Arrows move the cursor, Shift+arrows pan, plus and minus zoom, L returns to live.`}
        onKeyDown={onKeyDown}
        onBlur={() => useConsole.getState().setCursor(null)}
      />
      <div className="sr-only" role="status" aria-live="polite" data-testid={`plot-readout-${panel.id}`}>
        {readout}
      </div>
      {signals.length === 0 && <div className="plot-empty">Drag signals here, or use + in the signal tree</div>}
      <Legend panel={panel} onExport={exportCsv} />
    </div>
  )
}

/** The cursor's time and every signal's value there, as one sentence. */
function describeCursor(time: number, signals: readonly string[]): string {
  const history = zoomLoader.historyFor(useConsole.getState().view)
  const parts = signals.map((name) => {
    const column = history.indexOf(name)
    return `${name} ${column >= 0 ? formatValue(history.valueNear(column, time)) : 'no data'}`
  })
  return `t ${time.toFixed(3)} s${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`
}
