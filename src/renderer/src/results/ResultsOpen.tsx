// Opening a results table: the toolbar's Results… (a file picker), a results file dropped on the window,
// and the desktop app's File > Open Results… (the main process reads the file and sends its bytes).
import { useEffect, useRef, useState } from 'react'
import { desktop } from '../desktop/desktop'
import { useConsole } from '../store/store'
import { Dialog } from '../dialog/Dialog'
import { MAX_RESULTS_BYTES } from '../../../shared/results'
import { useResults } from './resultsStore'

export const RESULTS_FILE = /\.(csv|parquet)$/i

async function openFile(file: File): Promise<void> {
  const results = useResults.getState()
  if (file.size > MAX_RESULTS_BYTES) return results.fail(`${file.name} is not a results table: it is ${file.size} bytes; a results table may be at most ${MAX_RESULTS_BYTES} bytes`)
  const ok = await results.open(file.name, new Uint8Array(await file.arrayBuffer()))
  const log = useConsole.getState().addLog
  if (ok) log('info', `results opened: ${file.name}`)
  else log('error', useResults.getState().error ?? `${file.name} could not be opened`)
}

export function ResultsOpen() {
  const input = useRef<HTMLInputElement>(null)
  const error = useResults((s) => s.error)
  const [dragging, setDragging] = useState(false)

  useEffect(() => {
    const api = desktop()
    const off = api?.onResultsMenu?.((request) => {
      const results = useResults.getState()
      if (request.action === 'open-failed') return results.fail(request.error)
      void results.open(request.name, request.bytes, request.path).then((ok) => {
        if (ok) useConsole.getState().addLog('info', `results opened: ${request.path}`)
      })
    })
    // A results file dropped anywhere opens; YAML files are the desktop app's (OpenConfig).
    // Names are hidden until the drop: a file's type says CSV or Parquet, or nothing (then it may be either, or YAML).
    const types = (e: DragEvent): string[] => Array.from(e.dataTransfer?.items ?? []).filter((i) => i.kind === 'file').map((i) => i.type)
    const onDragOver = (e: DragEvent): void => {
      if (!e.dataTransfer?.types.includes('Files')) return
      const t = types(e)
      if (!t.some((x) => /csv|parquet|octet-stream|^$/.test(x))) return
      e.preventDefault()
      // The hint only when the type says so: an untyped file may be the desktop app's YAML, which has its own.
      if (t.some((x) => /csv|parquet/.test(x))) setDragging(true)
    }
    const onDragLeave = (e: DragEvent): void => {
      if (e.relatedTarget === null) setDragging(false)
    }
    const onDrop = (e: DragEvent): void => {
      setDragging(false)
      const file = Array.from(e.dataTransfer?.files ?? []).find((f) => RESULTS_FILE.test(f.name))
      if (!file) return
      e.preventDefault()
      void openFile(file)
    }
    window.addEventListener('dragover', onDragOver)
    window.addEventListener('dragleave', onDragLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      off?.()
      window.removeEventListener('dragover', onDragOver)
      window.removeEventListener('dragleave', onDragLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [])

  return (
    <>
      <button type="button" onClick={() => input.current?.click()} title="Open a sweep's results table (results.csv or results.parquet), or drop one on the window">
        Results…
      </button>
      <input
        ref={input}
        type="file"
        accept=".csv,.parquet"
        hidden
        data-testid="results-file"
        onChange={(e) => {
          const file = e.target.files?.[0]
          e.target.value = ''
          if (file) void openFile(file)
        }}
      />
      {dragging && <div className="drop-hint">Drop a results table (CSV or Parquet) to open it</div>}
      {error && (
        <Dialog label="Results not opened" role="alertdialog" onClose={() => useResults.setState({ error: null })}>
          <h2>Results not opened</h2>
          <p data-testid="results-error">{error}</p>
          <div className="dialog-buttons">
            <button type="button" onClick={() => useResults.setState({ error: null })}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </>
  )
}
