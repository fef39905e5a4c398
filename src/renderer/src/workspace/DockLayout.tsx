// The panels area: every panel a tab in a docking layout (split, stack as tabs, resize, maximise, rename
// by double-click, close), laid out by flexlayout inside the window at any size.
import { Actions, Layout, TabNode, type Action, type Model } from 'flexlayout-react'
import 'flexlayout-react/style/dark.css'
import { useEffect, useMemo } from 'react'
import { PANELS } from '../panels/registry'
import { useConsole } from '../store/store'
import { buildModel, reconcile } from './dock'

function PanelView({ id }: { id: string }) {
  const panel = useConsole((s) => s.panels.find((p) => p.id === id))
  if (!panel) return null
  const View = PANELS[panel.kind].component
  return (
    <section className="panel" aria-label={panel.title} data-panel={panel.id}>
      <View panel={panel} />
    </section>
  )
}

const factory = (node: TabNode) => <PanelView id={node.getId()} />

/** Tab actions that change the panels themselves go to the store; the dock follows the store. */
function onAction(action: Action): Action | undefined {
  const s = useConsole.getState()
  const data = action.data as { node?: string; text?: string; tabNode?: string }
  if (action.type === Actions.DELETE_TAB && data.node) {
    s.removePanel(data.node)
    return undefined
  }
  if (action.type === Actions.RENAME_TAB && data.node && typeof data.text === 'string') {
    if (data.text.trim() === '') return undefined
    s.renamePanel(data.node, data.text)
  }
  if (action.type === Actions.SELECT_TAB && data.tabNode) s.setActivePanel(data.tabNode)
  return action
}

function onModelChange(model: Model): void {
  useConsole.getState().setDock(model.toJson())
}

export function DockLayout() {
  const epoch = useConsole((s) => s.dockEpoch)
  const panels = useConsole((s) => s.panels)
  const active = useConsole((s) => s.activePanel)
  // A new model only when a whole workspace was replaced; otherwise the one model is changed by actions.
  const model = useMemo(() => {
    const s = useConsole.getState()
    return buildModel(s.dock, s.panels)
  }, [epoch])

  useEffect(() => {
    if (reconcile(model, panels, active)) useConsole.getState().setDock(model.toJson())
  }, [model, panels, active])

  return (
    <div className="dock" data-testid="dock">
      <Layout model={model} factory={factory} onAction={onAction} onModelChange={onModelChange} realtimeResize />
      {panels.length === 0 && <div className="panel-note">No panels. Add a plot from the toolbar, or plot a signal from the tree.</div>}
    </div>
  )
}
