// Every kind of panel, registered in one place: adding one is a folder and a line here.
import type { ComponentType } from 'react'
import type { PanelConfig, PanelKind } from '../store/store'
import { AlarmsPanel } from './alarms/AlarmsPanel'
import { PlotPanel } from './plot/PlotPanel'
import { TablePanel } from './table/TablePanel'
import { TopologyPanel } from './topology/TopologyPanel'
import { ValuesPanel } from './values/ValuesPanel'
import { XyPanel } from './xy/XyPanel'

export interface PanelDefinition {
  label: string
  component: ComponentType<{ panel: PanelConfig }>
}

export const PANELS: Record<PanelKind, PanelDefinition> = {
  plot: { label: 'Plot', component: PlotPanel },
  values: { label: 'Values', component: ValuesPanel },
  table: { label: 'Table', component: TablePanel },
  alarms: { label: 'Alarms', component: AlarmsPanel },
  xy: { label: 'XY', component: XyPanel },
  topology: { label: 'Topology', component: TopologyPanel }
}
