// The derived signals dialog: define a signal from an expression over others (with its unit), see each
// definition's error with where it is, remove one, or add one to the active panel.
import { useState } from 'react'
import { Dialog } from '../dialog/Dialog'
import { pipeline } from '../frames/pipeline'
import { useConsole } from '../store/store'
import { compileDerived, MAX_DERIVED, nameProblem, type DerivedSignal } from './derived'
import { describeError, FUNCTIONS } from './expression'

export function DerivedSignalsButton() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button onClick={() => setOpen(true)} title="Define signals from expressions over other signals">
        ƒ Derived…
      </button>
      {open && <DerivedDialog onClose={() => setOpen(false)} />}
    </>
  )
}

function DerivedDialog({ onClose }: { onClose(): void }) {
  const derived = useConsole((s) => s.derived)
  const signals = useConsole((s) => s.signals)
  const [name, setName] = useState('')
  const [expression, setExpression] = useState('')
  const [unit, setUnit] = useState('')
  const [error, setError] = useState('')
  const schemaNames = new Set(signals.map((s) => s.name))
  // The pipeline compiled the current set against the current schema: its errors are the ones in force.
  const errors = new Map(pipeline.compiled.filter((c) => !c.compiled.ok).map((c) => [c.signal.name, c.compiled.ok ? '' : describeError(c.compiled)]))

  const add = (): void => {
    const trimmed = name.trim()
    const problem = nameProblem(trimmed, schemaNames, derived)
    if (problem) return setError(problem)
    if (derived.length >= MAX_DERIVED) return setError(`at most ${MAX_DERIVED} derived signals`)
    const next: DerivedSignal = { name: trimmed, expression: expression.trim(), unit: unit.trim() }
    const compiled = compileDerived([...derived, next], schemaNames).at(-1)!.compiled
    if (!compiled.ok) return setError(describeError(compiled))
    setError('')
    useConsole.getState().setDerived([...derived, next])
    setName('')
    setExpression('')
    setUnit('')
  }

  return (
    <Dialog label="Derived signals" wide onClose={onClose} onSubmit={add}>
      <h2>Derived signals</h2>
      <p className="panel-note">
        Computed in this console from every frame it receives; other clients and the engine do not see them. Signal names are variables
        (vehicle.velocity.x); functions: {Object.keys(FUNCTIONS).join(', ')}; constants pi, e, tau; operators + - * / ^ % and comparisons, c ? a : b.
      </p>
      {derived.length > 0 && (
        <table className="values derived-list">
          <thead>
            <tr>
              <th>name</th>
              <th>expression</th>
              <th>unit</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {derived.map((d) => (
              <tr key={d.name} data-derived={d.name}>
                <td>{d.name}</td>
                <td>
                  <code>{d.expression}</code>
                  {errors.has(d.name) && <div className="set-result error">{errors.get(d.name)}</div>}
                </td>
                <td>{d.unit}</td>
                <td>
                  <button type="button" className="mini" aria-label={`Add ${d.name} to the active panel`} onClick={() => useConsole.getState().addSignal(d.name)}>
                    + panel
                  </button>
                  <button type="button" className="mini" aria-label={`Remove ${d.name}`} onClick={() => useConsole.getState().setDerived(derived.filter((x) => x !== d))}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="dialog-row">
        <label>
          name
          <input autoFocus aria-label="Derived signal name" value={name} placeholder="speed" onChange={(e) => setName(e.target.value)} />
        </label>
        <label style={{ flex: 1 }}>
          expression
          <input aria-label="Expression" value={expression} placeholder="hypot(vehicle.velocity.x, vehicle.velocity.y)" onChange={(e) => setExpression(e.target.value)} />
        </label>
        <label>
          unit
          <input aria-label="Unit" value={unit} placeholder="m/s" onChange={(e) => setUnit(e.target.value)} style={{ width: 70 }} />
        </label>
      </div>
      {error && (
        <p className="set-result error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="submit">Add</button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
