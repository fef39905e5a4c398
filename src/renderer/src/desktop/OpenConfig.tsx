// Opening configurations in the desktop app: a toolbar button, dropping a YAML file on the window, and
// the outcome of every open (the errors of an invalid file, with line and column) shown to the operator.
import { useEffect, useState } from 'react'
import { YAML_FILE, type OpenResult } from '../../../shared/desktop'
import { useConsole } from '../store/store'
import { desktop } from './desktop'
import { Dialog } from '../dialog/Dialog'

function report(result: OpenResult): void {
  const log = useConsole.getState().addLog
  if (result.ok) log('info', `opened ${result.file}`)
  else log('error', `could not open ${result.file}: ${result.errors.length} error(s); the current run continues`)
}

export function OpenConfig() {
  const api = desktop()
  const [failed, setFailed] = useState<Extract<OpenResult, { ok: false }> | null>(null)
  const [dragging, setDragging] = useState(false)

  useEffect(() => {
    if (!api) return
    const show = (result: OpenResult): void => {
      report(result)
      setFailed(result.ok ? null : result)
    }
    const off = api.onOpenResult(show)
    const onDragOver = (e: DragEvent): void => {
      if (!e.dataTransfer?.types.includes('Files')) return
      e.preventDefault()
      setDragging(true)
    }
    const onDragLeave = (e: DragEvent): void => {
      if (e.relatedTarget === null) setDragging(false)
    }
    const onDrop = (e: DragEvent): void => {
      const file = Array.from(e.dataTransfer?.files ?? []).find((f) => YAML_FILE.test(f.name))
      setDragging(false)
      if (!file) return
      e.preventDefault()
      void api.openDropped(file).then(show)
    }
    window.addEventListener('dragover', onDragOver)
    window.addEventListener('dragleave', onDragLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      off()
      window.removeEventListener('dragover', onDragOver)
      window.removeEventListener('dragleave', onDragLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [api])

  if (!api) return null
  return (
    <>
      <button
        onClick={() =>
          void api.openConfig().then((result) => {
            if (!result) return
            report(result)
            setFailed(result.ok ? null : result)
          })
        }
        title="Open a YAML configuration (or drop one on the window)"
      >
        Open…
      </button>
      {dragging && <div className="drop-hint">Drop a YAML configuration to open it</div>}
      {failed && (
        <Dialog label="Configuration errors" role="alertdialog" wide onClose={() => setFailed(null)}>
          <h2>Could not open {failed.file}</h2>
          <p>The current run continues. Fix these and open the file again:</p>
          <ul className="config-errors">
            {failed.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
          <div className="dialog-buttons">
            <button type="button" onClick={() => setFailed(null)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </>
  )
}
