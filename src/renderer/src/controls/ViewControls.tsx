// The shared time view: live window length, back to live, and new panels.
import { DerivedSignalsButton } from '../derived/DerivedSignals'
import { PANELS } from '../panels/registry'
import { PANEL_KINDS, useConsole, WINDOWS_S, type PanelKind } from '../store/store'

const LABELS: Record<number, string> = { 10: '10 s', 60: '1 min', 600: '10 min' }

export function ViewControls() {
  const view = useConsole((s) => s.view)
  const setWindow = useConsole((s) => s.setWindow)
  const goLive = useConsole((s) => s.goLive)
  const addPanel = useConsole((s) => s.addPanel)
  return (
    <div className="view-controls" role="toolbar" aria-label="View">
      <label>
        <select aria-label="Time window" value={view.windowS} onChange={(e) => setWindow(Number(e.target.value))}>
          {WINDOWS_S.map((w) => (
            <option key={w} value={w}>
              {LABELS[w]}
            </option>
          ))}
        </select>
      </label>
      <button className={view.live ? 'live on' : 'live'} onClick={goLive} disabled={view.live} title="Follow the newest data again">
        {view.live ? 'Live' : 'Go live'}
      </button>
      <button onClick={() => addPanel('plot')} aria-label="Add plot" title="Add a plot panel">
        + Plot
      </button>
      {/* A native select: keyboard and screen readers work with it as they do everywhere. */}
      <select
        aria-label="Add panel"
        title="Add a panel of any kind"
        value=""
        onChange={(e) => {
          const kind = e.target.value as PanelKind
          if (kind in PANELS) addPanel(kind, PANELS[kind].label)
        }}
      >
        <option value="" disabled>
          + Panel…
        </option>
        {PANEL_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {PANELS[kind].label}
          </option>
        ))}
      </select>
      <DerivedSignalsButton />
    </div>
  )
}
