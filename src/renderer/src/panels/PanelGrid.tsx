// The panels area: each panel in a frame with its title, its kind's view and a close button.
import { useConsole } from '../store/store'
import { PANELS } from './registry'

export function PanelGrid() {
  const panels = useConsole((s) => s.panels)
  const active = useConsole((s) => s.activePanel)
  const setActive = useConsole((s) => s.setActivePanel)
  const removePanel = useConsole((s) => s.removePanel)
  return (
    <div className={`panels count-${Math.min(panels.length, 8)}`}>
      {panels.map((panel) => {
        const View = PANELS[panel.kind].component
        return (
          <section key={panel.id} className={`panel${panel.id === active ? ' active' : ''}`} aria-label={panel.title} onMouseDown={() => setActive(panel.id)}>
            <header>
              <span className="panel-title">{panel.title}</span>
              {panel.kind === 'plot' && <span className="panel-count">{panel.signals.length} signals</span>}
              <button className="mini" aria-label={`Close ${panel.title}`} onClick={() => removePanel(panel.id)}>
                ×
              </button>
            </header>
            <div className="panel-body">
              <View panel={panel} />
            </div>
          </section>
        )
      })}
      {panels.length === 0 && <div className="panel-note">No panels. Add a plot from the toolbar.</div>}
    </div>
  )
}
