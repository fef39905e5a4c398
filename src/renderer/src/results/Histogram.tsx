// A histogram of one column of a results table, drawn as uPlot bars; the selected run's bin is marked.
import { useEffect, useMemo, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { axisColors, signalColor } from '../panels/plot/colors'
import { useConsole } from '../store/store'
import { histogram } from './bins'

const AXIS_FONT = '11px system-ui, sans-serif'

export function Histogram({ name, values, selectedValue }: { name: string; values: Float64Array; selectedValue: number | null }) {
  const host = useRef<HTMLDivElement>(null)
  const theme = useConsole((s) => s.theme)
  const bins = useMemo(() => histogram(values), [values])
  const selectedRef = useRef(selectedValue)
  selectedRef.current = selectedValue
  const plot = useRef<uPlot | null>(null)

  useEffect(() => {
    const el = host.current
    if (!el) return
    const colors = axisColors()
    const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.tick, width: 1 }, font: AXIS_FONT, labelSize: 14, labelFont: AXIS_FONT }
    const n = bins.counts.length
    const centres = Float64Array.from({ length: n }, (_, i) => (bins.edges[i]! + bins.edges[i + 1]!) / 2)
    const color = signalColor(name, theme)
    const u = new uPlot(
      {
        width: Math.max(100, el.clientWidth),
        height: Math.max(80, el.clientHeight),
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: () => [bins.edges[0]!, bins.edges[n]!] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] } },
        axes: [
          { ...axis, label: name, size: 36 },
          { ...axis, label: 'runs', size: 50 }
        ],
        series: [{}, { label: name, stroke: color, fill: `${color}66`, width: 1, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }), points: { show: false } }],
        hooks: {
          draw: [
            (p) => {
              const v = selectedRef.current
              if (v === null || !Number.isFinite(v)) return
              const x = p.valToPos(v, 'x', true)
              const ctx = p.ctx
              ctx.save()
              ctx.strokeStyle = theme === 'dark' ? '#ffffff' : '#000000'
              ctx.lineWidth = 2 * devicePixelRatio
              ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio])
              ctx.beginPath()
              ctx.moveTo(x, p.bbox.top)
              ctx.lineTo(x, p.bbox.top + p.bbox.height)
              ctx.stroke()
              ctx.restore()
            }
          ]
        }
      },
      [centres, bins.counts] as unknown as uPlot.AlignedData,
      el
    )
    plot.current = u
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(100, el.clientWidth), height: Math.max(80, el.clientHeight) }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      u.destroy()
      plot.current = null
    }
  }, [bins, name, theme])

  useEffect(() => plot.current?.redraw(false), [selectedValue])

  const total = bins.counts.reduce((a, b) => a + b, 0)
  return (
    <div className="results-histogram">
      <div
        className="plot-canvas"
        ref={host}
        data-testid="results-histogram"
        role="img"
        aria-label={`Histogram of ${name}: ${total} runs in ${bins.counts.length} bins from ${bins.edges[0]!.toPrecision(4)} to ${bins.edges[bins.edges.length - 1]!.toPrecision(4)}${bins.skipped ? `; ${bins.skipped} runs without a value` : ''}`}
      />
      {bins.skipped > 0 && <div className="results-note">{bins.skipped} runs have no value of {name} and are not counted</div>}
    </div>
  )
}
