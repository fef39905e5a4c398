// The global keyboard shortcuts and the dialogs they open (confirm reset, the list of shortcuts).
import { useEffect } from 'react'
import { connection } from '../connection/connection'
import { Dialog } from '../dialog/Dialog'
import { useConsole } from '../store/store'
import { openNote } from '../timeline/Timeline'
import { mayFireGlobal, SHORTCUTS } from './shortcuts'

/** Reset from a button or a key: asks first, unless the person turned that off. */
export function requestReset(): void {
  const s = useConsole.getState()
  if (s.settings.confirmReset) s.setDialog('confirm-reset')
  else void connection.reset()
}

export function Shortcuts() {
  const dialog = useConsole((s) => s.dialog)
  const setDialog = useConsole((s) => s.setDialog)
  const confirmReset = useConsole((s) => s.settings.confirmReset)

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || !mayFireGlobal(e.target)) return
      const s = useConsole.getState()
      if (s.dialog !== null) return
      if (e.key === '?') {
        e.preventDefault()
        s.setDialog('shortcuts')
        return
      }
      if (s.link.status !== 'connected') return
      if (e.code === 'Space') {
        e.preventDefault()
        if (s.run.state === 'running') void connection.pause()
        else if (s.run.state === 'paused' && s.run.mode !== 'single_frame') void connection.resume()
      } else if (e.key === 'n' && s.run.state === 'paused') {
        void connection.step(1)
      } else if (e.key === 'm' || e.key === 'M') {
        e.preventDefault()
        openNote()
      } else if (e.key === 'R' && e.shiftKey) {
        e.preventDefault()
        requestReset()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (dialog === 'confirm-reset') {
    return (
      <Dialog
        label="Reset the run"
        role="alertdialog"
        onClose={() => setDialog(null)}
        onSubmit={() => {
          setDialog(null)
          void connection.reset()
        }}
      >
        <h2>Reset the run?</h2>
        <p>The run goes back to frame 0 and every plot is cleared.</p>
        <label className="inline">
          <input type="checkbox" checked={!confirmReset} onChange={(e) => useConsole.getState().setSettings({ confirmReset: !e.target.checked })} />
          Do not ask again
        </label>
        <div className="dialog-buttons">
          <button type="button" onClick={() => setDialog(null)}>
            Cancel
          </button>
          <button type="submit" autoFocus>
            Reset
          </button>
        </div>
      </Dialog>
    )
  }
  if (dialog === 'shortcuts') {
    return (
      <Dialog label="Keyboard shortcuts" wide onClose={() => setDialog(null)}>
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <th scope="row">
                  <kbd>{s.keys}</kbd>
                </th>
                <td>{s.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Global shortcuts do nothing while a button, a text box, the tree or a plot has focus: those keys are theirs.</p>
        <div className="dialog-buttons">
          <button type="button" autoFocus onClick={() => setDialog(null)}>
            Close
          </button>
        </div>
      </Dialog>
    )
  }
  return null
}
