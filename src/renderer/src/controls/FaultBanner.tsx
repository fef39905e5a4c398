// A module fault the run is paused on: which module, at which frame, what it said; Reset or Dismiss.
// The module stays marked in the tree until the run is reset.
import { requestReset } from '../shortcuts/Shortcuts'
import { useConsole } from '../store/store'

export function FaultBanner() {
  const fault = useConsole((s) => s.fault)
  const connected = useConsole((s) => s.link.status === 'connected')
  if (!fault || fault.dismissed) return null
  return (
    <div className="fault-banner" role="alert" aria-label="Module fault">
      <strong>
        Module <code>{fault.module}</code> failed{fault.frame !== null ? ` at frame ${fault.frame}` : ''}:
      </strong>{' '}
      <span className="fault-message">{fault.message}</span>
      <span className="fault-actions">
        <button onClick={requestReset} disabled={!connected} title="Reset the run: the module is started again">
          Reset
        </button>
        <button onClick={() => useConsole.getState().setFault({ ...fault, dismissed: true })}>Dismiss</button>
      </span>
    </div>
  )
}
