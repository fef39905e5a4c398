// The × that takes a signal off a panel (a plot's legend row, a table's row): one button, one label, so
// that a screen reader and the keyboard meet the same control in every panel.
import { useConsole } from '../../store/store'

export function RemoveSignalButton({ panelId, signal, panelKind }: { panelId: string; signal: string; panelKind: 'plot' | 'table' }) {
  return (
    <button className="mini" aria-label={`Remove ${signal}`} title={`Remove from this ${panelKind}`} onClick={() => useConsole.getState().removeSignal(panelId, signal)}>
      ×
    </button>
  )
}
