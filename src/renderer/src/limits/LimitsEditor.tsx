// Limits set from the console, for any signal (one the configuration does not bound, or to change its
// bounds): saved in the layout, and in force over the configuration's until cleared.
import { useId, useState } from 'react'
import { parseNumber } from '../commanding/parseNumber'
import { limitsFor } from '../frames/pipeline'
import { useConsole } from '../store/store'
import { describeRange, limitsSchema, type SignalLimits } from './limits'

const FIELDS = [
  ['warn', 0, 'warn low'],
  ['warn', 1, 'warn high'],
  ['alarm', 0, 'alarm low'],
  ['alarm', 1, 'alarm high']
] as const

type Texts = [string, string, string, string]

/** The form's four boxes as limits; a blank box is an open bound. */
export function limitsFromTexts(texts: readonly string[]): { ok: true; limits: SignalLimits } | { ok: false; error: string } {
  const bounds: (number | null)[] = []
  for (let i = 0; i < 4; i++) {
    const t = texts[i]!.trim()
    if (t === '') {
      bounds.push(null)
      continue
    }
    const p = parseNumber(t)
    if (!p.ok) return { ok: false, error: `${FIELDS[i]![2]}: ${p.reason}` }
    bounds.push(p.value)
  }
  const limits: SignalLimits = {}
  if (bounds[0] !== null || bounds[1] !== null) limits.warn = [bounds[0]!, bounds[1]!]
  if (bounds[2] !== null || bounds[3] !== null) limits.alarm = [bounds[2]!, bounds[3]!]
  const checked = limitsSchema.safeParse(limits)
  if (!checked.success) return { ok: false, error: checked.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ') }
  return { ok: true, limits }
}

export function LimitsEditor({ signals }: { signals: readonly string[] }) {
  const own = useConsole((s) => s.limits)
  const [signal, setSignal] = useState('')
  const [texts, setTexts] = useState<Texts>(['', '', '', ''])
  const [error, setError] = useState('')
  const listId = useId()
  const known = new Set(signals)

  const pick = (name: string): void => {
    setSignal(name)
    setError('')
    const l = limitsFor(useConsole.getState(), name)
    if (l) setTexts([l.warn?.[0], l.warn?.[1], l.alarm?.[0], l.alarm?.[1]].map((v) => (v === null || v === undefined ? '' : String(v))) as Texts)
  }

  const save = (): void => {
    if (!known.has(signal)) return setError(signal.trim() === '' ? 'choose a signal' : `no signal '${signal}' in this run`)
    const parsed = limitsFromTexts(texts)
    if (!parsed.ok) return setError(parsed.error)
    setError('')
    useConsole.getState().setLimits(signal, parsed.limits)
  }

  return (
    <section aria-label="Console limits" className="limits-editor">
      <h3>Limits set here</h3>
      <div className="limits-form">
        <input aria-label="Signal" list={listId} placeholder="signal" value={signal} onChange={(e) => pick(e.target.value)} />
        <datalist id={listId}>
          {signals.slice(0, 2000).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        {FIELDS.map(([, , label], i) => (
          <input
            key={label}
            aria-label={label}
            placeholder={label}
            inputMode="decimal"
            value={texts[i]}
            onChange={(e) => setTexts((t) => t.map((x, j) => (j === i ? e.target.value : x)) as Texts)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') save()
            }}
          />
        ))}
        <button className="mini" onClick={save}>
          Set limits
        </button>
      </div>
      {error && (
        <p className="set-result error" role="alert">
          {error}
        </p>
      )}
      {Object.keys(own).length > 0 && (
        <ul className="alarm-now">
          {Object.entries(own).map(([name, l]) => (
            <li key={name}>
              {name}: warn {describeRange(l.warn)}, alarm {describeRange(l.alarm)}{' '}
              <button className="mini" aria-label={`Clear the limits set for ${name}`} title="Back to the configuration's limits" onClick={() => useConsole.getState().setLimits(name, null)}>
                clear
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
