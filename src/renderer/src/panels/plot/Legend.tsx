// A plot's legend: per signal its colour, unit, the value under the cursor (or the latest), and min,
// max and mean over the visible window; a click on a name hides the signal, Alt+click solos it; a button
// removes it.
import { useEffect, useMemo, useState } from 'react'
import { zoomLoader } from '../../history/zoom'
import { useAlarms } from '../../limits/alarms'
import { levelClass } from '../../limits/limits'
import { useConsole, type PanelConfig } from '../../store/store'
import { seriesStats } from '../../telemetry/decimate'
import { visibleRange } from '../../telemetry/telemetry'
import { RemoveSignalButton } from '../removeSignal/RemoveSignalButton'
import { signalColor } from './colors'
import { readPlotOptions, toggleHidden } from './options'
import './plot.css'

const REFRESH_MS = 250

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return '—'
  if (!Number.isFinite(v)) return v > 0 ? '+inf' : '-inf'
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3)
  return v.toFixed(a >= 100 ? 2 : 4)
}

interface Props {
  panel: PanelConfig
  onExport(whole: boolean): void
}

export function Legend({ panel, onExport }: Props) {
  const cursorTime = useConsole((s) => s.cursorTime)
  const signals = useConsole((s) => s.signals)
  const theme = useConsole((s) => s.theme)
  const levels = useAlarms((s) => s.levels)
  const hidden = readPlotOptions(panel.options).options.hidden
  const toggle = (name: string, solo: boolean): void =>
    useConsole.getState().setPanelOptions(panel.id, { hidden: toggleHidden(panel.signals, hidden, name, solo) })
  // Statistics change with every frame; a few refreshes a second are plenty to read them.
  const [, setTick] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS)
    return () => clearInterval(timer)
  }, [])
  // A view zoomed into the past reads the range loaded for it, as the chart does.
  const history = zoomLoader.historyFor(useConsole.getState().view)
  // Built once per schema: with 10,000 signals, a map per render cost more than the legend itself.
  // Derived signals carry the unit their author gave them.
  const derived = useConsole((s) => s.derived)
  const units = useMemo(() => new Map([...signals.map((s) => [s.name, s.unit] as const), ...derived.map((d) => [d.name, d.unit] as const)]), [signals, derived])
  // Statistics over the visible window as it is now, newest sample included (the chart may not have
  // redrawn for it yet: it waits for a pixel column of new data).
  const view = useConsole.getState().view
  const [tMin, tMax] = visibleRange(view.live, view.windowS, view.min, view.max)
  const from = history.lowerBound(tMin)
  const to = view.live ? history.length : history.upperBound(tMax)
  return (
    <div className="legend">
      <table>
        <thead>
          <tr>
            <th>signal</th>
            <th>{cursorTime === null ? 'latest' : `at ${cursorTime.toFixed(3)} s`}</th>
            <th>min</th>
            <th>max</th>
            <th>mean</th>
            <th>
              <button className="mini" title="Export the visible window as CSV" onClick={() => onExport(false)}>
                CSV
              </button>
              <button className="mini" title="Export the whole history as CSV" onClick={() => onExport(true)}>
                CSV all
              </button>
            </th>
          </tr>
        </thead>
        <tbody>
          {panel.signals.map((name) => {
            const column = history.indexOf(name)
            const value = cursorTime === null ? (history.length > 0 && column >= 0 ? history.valueAt(column, history.length - 1) : NaN) : history.valueNear(column, cursorTime)
            const stats = seriesStats(history, column, from, to)
            const starts = history.startedLate(column)
            const unit = units.get(name)
            return (
              <tr key={name} data-signal={name} className={[levelClass(levels[name] ?? 0), hidden.includes(name) ? 'off' : ''].filter(Boolean).join(' ') || undefined}>
                <td>
                  <button
                    className="legend-name"
                    aria-pressed={!hidden.includes(name)}
                    title="Click to hide or show; Alt+click to show this one alone (again to show all)"
                    onClick={(e) => toggle(name, e.altKey)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && e.altKey) {
                        e.preventDefault()
                        toggle(name, true)
                      }
                    }}
                  >
                    <span className="swatch" style={{ background: signalColor(name, theme) }} />
                    {name}
                  </button>
                  {unit ? <span className="unit"> [{unit}]</span> : null}
                  {starts !== null && (
                    <span className="late" title="This signal was subscribed when it was plotted: it has no history before this time">
                      {' '}
                      from {starts.toFixed(1)} s
                    </span>
                  )}
                </td>
                <td className="num" data-testid="legend-value">{formatValue(value)}</td>
                <td className="num">{formatValue(stats.min)}</td>
                <td className="num">{formatValue(stats.max)}</td>
                <td className="num">{formatValue(stats.mean)}</td>
                <td>
                  <RemoveSignalButton panelId={panel.id} signal={name} panelKind="plot" />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
