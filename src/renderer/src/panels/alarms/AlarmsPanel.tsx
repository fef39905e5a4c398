// The alarms panel: the signals out of limits now, and every crossing (into warn or alarm, and back)
// with its sim time, frame and value; acknowledge one (Enter or the button) or all. Arrow keys move
// between crossings. Below, the console's own limits, set for any signal.
import { useRef, type KeyboardEvent } from 'react'
import { useAlarms, type Crossing } from '../../limits/alarms'
import { LimitsEditor } from '../../limits/LimitsEditor'
import { describeRange, LEVEL_NAMES, levelClass, type Level } from '../../limits/limits'
import { limitsFor } from '../../frames/pipeline'
import { useConsole, type PanelConfig } from '../../store/store'
import { formatValue } from '../plot/Legend'
import './alarms.css'

/** Crossings listed at once, newest first; the store keeps more (MAX_CROSSINGS). */
const SHOWN = 500

export function AlarmsPanel({ panel }: { panel: PanelConfig }) {
  const levels = useAlarms((s) => s.levels)
  const crossings = useAlarms((s) => s.crossings)
  const signals = useConsole((s) => s.signals)
  const derived = useConsole((s) => s.derived)
  // Limits set here change what "out of limits now" shows beside each signal.
  useConsole((s) => s.limits)
  const list = useRef<HTMLTableSectionElement>(null)
  const now = Object.entries(levels).sort(([, a], [, b]) => b - a) as [string, Level][]
  const unacked = crossings.reduce((n, c) => n + (c.acknowledged ? 0 : 1), 0)
  const shown = crossings.slice(-SHOWN).reverse()

  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>, c: Crossing): void => {
    const rows = Array.from(list.current?.querySelectorAll<HTMLElement>('tr[tabindex]') ?? [])
    const at = rows.indexOf(e.currentTarget as unknown as HTMLElement)
    const move = (i: number): void => rows[Math.max(0, Math.min(rows.length - 1, i))]?.focus()
    if (e.key === 'ArrowDown') move(at + 1)
    else if (e.key === 'ArrowUp') move(at - 1)
    else if (e.key === 'Home') move(0)
    else if (e.key === 'End') move(rows.length - 1)
    else if (e.key === 'Enter' || e.key === ' ') useAlarms.getState().acknowledge(c.id)
    else return
    e.preventDefault()
  }

  return (
    <div className="alarms" data-testid={`alarms-${panel.id}`}>
      <section aria-label="Out of limits now">
        <h3>Out of limits now</h3>
        {now.length === 0 ? (
          <p className="panel-note">Every checked signal is within its limits.</p>
        ) : (
          <ul className="alarm-now">
            {now.map(([name, level]) => {
              const l = limitsFor(useConsole.getState(), name)
              return (
                <li key={name} className={levelClass(level)} data-signal={name}>
                  <strong>{LEVEL_NAMES[level]}</strong> {name}{' '}
                  <span className="unit">
                    warn {describeRange(l?.warn)}, alarm {describeRange(l?.alarm)}
                  </span>
                </li>
              )
            })}
          </ul>
        )}
      </section>
      <section aria-label="Crossings">
        <h3>
          Crossings <span className="unit">({unacked} not acknowledged{crossings.length > SHOWN ? `, newest ${SHOWN} of ${crossings.length} shown` : ''})</span>{' '}
          <button className="mini" disabled={unacked === 0} onClick={() => useAlarms.getState().acknowledgeAll()}>
            Acknowledge all
          </button>
        </h3>
        {crossings.length === 0 ? (
          <p className="panel-note">No crossings yet: a signal with limits going into warn or alarm, or back, is listed here.</p>
        ) : (
          <table className="values crossings">
            <thead>
              <tr>
                <th>time (s)</th>
                <th>frame</th>
                <th>signal</th>
                <th>change</th>
                <th>value</th>
                <th />
              </tr>
            </thead>
            <tbody ref={list}>
              {shown.map((c) => (
                <tr
                  key={c.id}
                  tabIndex={0}
                  data-testid="crossing"
                  data-frame={c.frame}
                  data-value={c.value}
                  data-signal={c.signal}
                  className={`${levelClass(c.to)}${c.acknowledged ? ' acked' : ''}`}
                  aria-label={`${c.signal} ${LEVEL_NAMES[c.from]} to ${LEVEL_NAMES[c.to]} at frame ${c.frame}, ${c.acknowledged ? 'acknowledged' : 'press Enter to acknowledge'}`}
                  onKeyDown={(e) => onKeyDown(e as unknown as KeyboardEvent<HTMLTableSectionElement>, c)}
                >
                  <td className="num">{c.time.toFixed(3)}</td>
                  <td className="num" data-col="frame">
                    {c.frame}
                  </td>
                  <td>{c.signal}</td>
                  <td>
                    {LEVEL_NAMES[c.from]} → {LEVEL_NAMES[c.to]}
                  </td>
                  <td className="num">{formatValue(c.value)}</td>
                  <td>
                    {c.acknowledged ? (
                      <span className="unit">acknowledged</span>
                    ) : (
                      <button className="mini" tabIndex={-1} onClick={() => useAlarms.getState().acknowledge(c.id)}>
                        Ack
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <LimitsEditor signals={signals.map((s) => s.name).concat(derived.map((d) => d.name))} />
    </div>
  )
}
