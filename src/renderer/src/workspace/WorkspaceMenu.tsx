// The workspace dialog: export the layout to a file, import one (validated: a bad file changes nothing),
// reset to the default layout, and the person's settings (theme, reset confirmation).
import { useRef, useState } from 'react'
import { Dialog } from '../dialog/Dialog'
import { downloadText } from '../panels/plot/csv'
import { DEFAULT_PANELS, useConsole, type ThemeSetting } from '../store/store'
import { exportLayout, importLayout } from './layoutTransfer'
import type { Workspace } from './workspace'

/** The layout a reset brings back: the configuration's own when it ships one, else one empty plot. */
export function defaultWorkspace(shipped: Workspace | null): Workspace {
  return shipped ?? { panels: DEFAULT_PANELS, dock: null, activePanel: DEFAULT_PANELS[0]!.id, windowS: 10, expanded: [], eventsOpen: true, derived: [], limits: {} }
}

export function WorkspaceMenu() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button onClick={() => setOpen(true)} title="Export, import or reset the layout; theme and settings">
        Layout…
      </button>
      {open && <WorkspaceDialog onClose={() => setOpen(false)} />}
    </>
  )
}

function WorkspaceDialog({ onClose }: { onClose(): void }) {
  const settings = useConsole((s) => s.settings)
  const shipped = useConsole((s) => s.shippedLayout)
  const [problems, setProblems] = useState<string[] | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const picker = useRef<HTMLInputElement>(null)

  const exportFile = (): void => {
    const { name, text } = exportLayout()
    downloadText(name, text, 'application/json')
    setDone('Layout exported.')
  }

  const importFile = async (file: File): Promise<void> => {
    const outcome = importLayout(file.name, await file.text())
    setProblems(outcome.ok ? null : outcome.problems)
    setDone(outcome.ok ? outcome.message : null)
  }

  return (
    <Dialog label="Layout and settings" onClose={onClose}>
      <h2>Layout</h2>
      <div className="dialog-row">
        <button type="button" onClick={exportFile}>
          Export layout…
        </button>
        <button type="button" onClick={() => picker.current?.click()}>
          Import layout…
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          aria-label="Layout file to import"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0]
            e.target.value = ''
            if (file) void importFile(file)
          }}
        />
        <button
          type="button"
          onClick={() => {
            useConsole.getState().applyWorkspace(defaultWorkspace(shipped))
            setProblems(null)
            setDone(shipped ? 'Back to the configuration’s layout.' : 'Back to the default layout.')
          }}
        >
          Reset layout
        </button>
      </div>
      {done && (
        <p role="status" className="ok-text">
          {done}
        </p>
      )}
      {problems && (
        <div role="alert">
          <p className="error-text">The file was not imported; the layout is unchanged:</p>
          <ul className="config-errors">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <h2>Settings</h2>
      <label>
        Theme
        <select aria-label="Theme" value={settings.theme} onChange={(e) => useConsole.getState().setSettings({ theme: e.target.value as ThemeSetting })}>
          <option value="system">Follow the system</option>
          <option value="dark">Dark</option>
          <option value="light">Light</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" checked={settings.confirmReset} onChange={(e) => useConsole.getState().setSettings({ confirmReset: e.target.checked })} />
        Ask before Reset
      </label>
      <div className="dialog-buttons">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
