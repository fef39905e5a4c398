// The docking arrangement on flexlayout: the options every layout gets, an arrangement for panels that
// have none, and keeping the model's tabs in step with the store's panels (one tab per panel, same id).
import { Actions, DockLocation, Model, TabNode, TabSetNode, type IGlobalAttributes, type IJsonModel, type IJsonRowNode } from 'flexlayout-react'
import type { PanelConfig } from '../store/store'

/** Options fixed by the console, whatever a stored or imported layout says. */
export const DOCK_GLOBAL: IGlobalAttributes = {
  tabEnableRename: true,
  tabEnablePopout: false,
  tabEnableClose: true,
  tabSetEnableMaximize: true,
  tabSetEnableDeleteWhenEmpty: true,
  tabSetMinWidth: 120,
  tabSetMinHeight: 90,
  enableEdgeDock: true
}

const tab = (p: PanelConfig) => ({ type: 'tab' as const, id: p.id, name: p.title, component: p.kind })

/** A first arrangement: panels in rows of at most two, each row an equal share of the height. */
export function arrange(panels: readonly PanelConfig[]): IJsonModel {
  const rows: IJsonRowNode[] = []
  for (let i = 0; i < panels.length; i += 2) {
    rows.push({ type: 'row', weight: 1, children: panels.slice(i, i + 2).map((p) => ({ type: 'tabset' as const, weight: 1, children: [tab(p)] })) })
  }
  const layout: IJsonRowNode =
    rows.length === 1 ? { type: 'row', children: rows[0]!.children } : { type: 'row', children: [{ type: 'row', weight: 1, children: rows }] }
  return { global: DOCK_GLOBAL, borders: [], layout }
}

/** Builds the model from stored JSON, falling back to a fresh arrangement when the JSON is unusable. */
export function buildModel(dock: IJsonModel | null, panels: readonly PanelConfig[]): Model {
  if (dock) {
    try {
      return Model.fromJson({ ...dock, global: { ...dock.global, ...DOCK_GLOBAL } })
    } catch {
      // A layout from an older or damaged store: arrange the panels afresh rather than show nothing.
    }
  }
  return Model.fromJson(arrange(panels))
}

export function tabsOf(model: Model): TabNode[] {
  const tabs: TabNode[] = []
  model.visitNodes((node) => {
    if (node instanceof TabNode) tabs.push(node)
  })
  return tabs
}

/**
 * Where a new panel goes: beside the largest tabset, split along its longer side, so that panels share
 * the space evenly and every one stays inside the window.
 */
function placement(model: Model): { target: string; location: DockLocation } | null {
  let best: TabSetNode | null = null
  let area = -1
  model.visitNodes((node) => {
    if (!(node instanceof TabSetNode)) return
    const r = node.getRect()
    const a = r.width * r.height
    if (a > area) {
      area = a
      best = node
    }
  })
  const chosen = best as TabSetNode | null
  if (!chosen) return null
  const r = chosen.getRect()
  // Before the first layout pass rects are empty: fill the tabset to the right.
  if (r.width === 0 && r.height === 0) return { target: chosen.getId(), location: DockLocation.RIGHT }
  return { target: chosen.getId(), location: r.width >= r.height * 1.2 ? DockLocation.RIGHT : DockLocation.BOTTOM }
}

/**
 * Brings the model's tabs in line with the panels: new panels docked, gone ones closed, titles renamed.
 * Says whether it changed the model (programmatic actions do not reach the layout's onModelChange).
 */
export function reconcile(model: Model, panels: readonly PanelConfig[], activePanel: string | null): boolean {
  let changed = false
  const wanted = new Map(panels.map((p) => [p.id, p]))
  const tabs = tabsOf(model)
  for (const t of tabs) {
    const p = wanted.get(t.getId())
    if (!p) model.doAction(Actions.deleteTab(t.getId()))
    else if (t.getName() !== p.title) model.doAction(Actions.renameTab(t.getId(), p.title))
    else continue
    changed = true
  }
  const present = new Set(tabs.map((t) => t.getId()))
  for (const p of panels) {
    if (present.has(p.id)) continue
    const where = placement(model)
    const target = where?.target ?? model.getRootRow()?.getId()
    if (target) model.doAction(Actions.addNode(tab(p), target, where?.location ?? DockLocation.CENTER, -1, true))
    changed = true
  }
  if (activePanel && model.getNodeById(activePanel) instanceof TabNode) {
    const node = model.getNodeById(activePanel) as TabNode
    if (!node.isSelected()) {
      model.doAction(Actions.selectTab(activePanel))
      changed = true
    }
  }
  return changed
}
