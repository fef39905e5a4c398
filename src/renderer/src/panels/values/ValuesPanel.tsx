// The values panel: writable signals with their current values; type a number and press Enter to set it.
import { useEffect, useState } from 'react'
import { ValueEditor } from '../../commanding/ValueEditor'
import { useConsole, type PanelConfig } from '../../store/store'
import { telemetry } from '../../telemetry/telemetry'
import { formatValue } from '../plot/Legend'

const REFRESH_MS = 250

/** Every writable signal, or only those the panel names (a layout can make a panel of just the knobs). */
export function ValuesPanel({ panel }: { panel: PanelConfig }) {
  const signals = useConsole((s) => s.signals)
  const [, setTick] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS)
    return () => clearInterval(timer)
  }, [])
  const chosen = new Set(panel.signals)
  const writable = signals.filter((s) => s.writable && (chosen.size === 0 || chosen.has(s.name)))
  const history = telemetry.history
  if (writable.length === 0) return <div className="panel-note">No writable signals in this run{useConsole.getState().extended ? '' : ' (the server does not say which signals are writable)'}.</div>
  return (
    <table className="values">
      <tbody>
        {writable.map((s) => {
          const column = history.indexOf(s.name)
          const current = column >= 0 && history.length > 0 ? history.valueAt(column, history.length - 1) : NaN
          return (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td className="num">
                {formatValue(current)} {s.unit}
              </td>
              <td>
                <ValueEditor signal={s.name} />
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
