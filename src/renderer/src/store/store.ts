// The console's state in one zustand store: link, schema, run, view, panels, tree and the event log.
// Telemetry samples are not here (see telemetry/telemetry.ts): they change too often for React state.
import type { IJsonModel } from 'flexlayout-react'
import { create, createStore, type StateCreator } from 'zustand'
import type { RunState, SchemaMessage, SignalLimits } from '../../../shared/protocol/messages'
import type { DerivedSignal } from '../derived/derived'
import { signalsOf, type SignalInfo } from '../tree/buildTree'
import type { Workspace } from '../workspace/workspace'

export type LinkStatus = 'idle' | 'connecting' | 'connected' | 'retrying' | 'failed' | 'closed'

export interface LinkState {
  status: LinkStatus
  url: string
  /** Reconnect attempt counter while retrying (1-based). */
  attempt: number
  /** When the next attempt starts (ms since the epoch), while retrying. */
  retryAt: number | null
  message: string
  /** Whether this console has reached the server at all since it was started or pointed elsewhere. */
  everConnected: boolean
}

/** A module fault the run is paused on, until the run is reset (or the operator dismisses the banner). */
export interface ModuleFault {
  module: string
  frame: number | null
  message: string
  dismissed: boolean
}

export interface RunInfo {
  state: RunState | 'unknown'
  frame: number
  time: number
  realtimeFactor: number | null
  mode: string | null
  rateHz: number | null
}

export interface LinkQuality {
  rttMs: number | null
  /** Wall-clock time of the last telemetry frame received (ms since the epoch). */
  lastFrameAt: number | null
  /** Share of expected telemetry frames that did not arrive over the last few seconds. */
  missingShare: number | null
  telemetryHz: number
}

/** Every kind of panel; each has a folder under panels/ and a line in panels/registry.tsx. */
export const PANEL_KINDS = ['plot', 'values', 'table', 'alarms', 'xy', 'topology'] as const
export type PanelKind = (typeof PANEL_KINDS)[number]

/** A panel's own settings (an XY plot's axes, a table's columns): each panel kind reads and checks its own. */
export type PanelOptions = Record<string, unknown>

export interface PanelConfig {
  id: string
  kind: PanelKind
  title: string
  signals: string[]
  options?: PanelOptions
}

export interface ViewState {
  live: boolean
  /** Live window length in seconds. */
  windowS: number
  /** The frozen range while not live. */
  min: number
  max: number
}

export type LogKind = 'sent' | 'ack' | 'event' | 'error' | 'info'

export interface LogEntry {
  id: number
  at: number
  kind: LogKind
  text: string
}

export interface SetResult {
  status: 'pending' | 'ok' | 'error'
  message: string
}

/** The console's modal dialogs that more than one control can open. */
export type ConsoleDialog = 'confirm-reset' | 'shortcuts' | null

export type ThemeSetting = 'system' | 'dark' | 'light'
export type ResolvedTheme = 'dark' | 'light'

/** Preferences of the person at the console: kept for every window and configuration alike. */
export interface Settings {
  /** Reset asks before it clears the run and every plot. */
  confirmReset: boolean
  theme: ThemeSetting
}

export const DEFAULT_SETTINGS: Settings = { confirmReset: true, theme: 'system' }

export const WINDOWS_S = [10, 60, 600] as const
export const MAX_WINDOW_S = 600
const LOG_LIMIT = 1000

export interface ConsoleState {
  link: LinkState
  extended: boolean
  schema: SchemaMessage | null
  signals: SignalInfo[]
  runId: string | null
  run: RunInfo
  quality: LinkQuality
  view: ViewState
  cursorTime: number | null
  panels: PanelConfig[]
  /** The docking arrangement of the panels (flexlayout JSON); null until the dock has laid them out. */
  dock: IJsonModel | null
  /** Bumped when a whole workspace replaces the current one, so the dock rebuilds from `dock`. */
  dockEpoch: number
  activePanel: string | null
  expanded: string[]
  query: string
  eventsOpen: boolean
  log: LogEntry[]
  setResults: Record<string, SetResult>
  dialog: ConsoleDialog
  fault: ModuleFault | null
  settings: Settings
  /** The theme in force (the setting, or the system's choice). */
  theme: ResolvedTheme
  /** The layout the served configuration ships (`console.layout`), if any. */
  shippedLayout: Workspace | null
  /** Signals defined in this console from expressions (derived/), saved in the layout. */
  derived: DerivedSignal[]
  /** Limits set in this console, per signal; they replace the configuration's for that signal. */
  limits: Record<string, SignalLimits>

  setLink(link: Partial<LinkState>): void
  setSchema(schema: SchemaMessage, extended: boolean): void
  setRun(run: Partial<RunInfo>): void
  setQuality(quality: Partial<LinkQuality>): void
  setRunId(runId: string | null): void
  setWindow(seconds: number): void
  goLive(): void
  freezeView(min: number, max: number): void
  setCursor(time: number | null): void
  /** Adds a panel of a kind, titled from `title` (numbered when there are several). */
  addPanel(kind?: PanelKind, title?: string): string
  removePanel(id: string): void
  renamePanel(id: string, title: string): void
  /** Merges into a panel's options (saved with the layout). */
  setPanelOptions(id: string, options: PanelOptions): void
  /** Replaces a panel's signals (a panel that picks its own, as an XY plot's traces). */
  setPanelSignals(id: string, signals: string[]): void
  setDock(dock: IJsonModel): void
  applyWorkspace(workspace: Workspace): void
  setActivePanel(id: string): void
  addSignal(signal: string, panelId?: string): void
  removeSignal(panelId: string, signal: string): void
  toggleExpanded(id: string): void
  setExpanded(ids: string[]): void
  setQuery(query: string): void
  setEventsOpen(open: boolean): void
  addLog(kind: LogKind, text: string): void
  clearLog(): void
  setSetResult(signal: string, result: SetResult): void
  setDialog(dialog: ConsoleDialog): void
  setFault(fault: ModuleFault | null): void
  setSettings(settings: Partial<Settings>): void
  setTheme(theme: ResolvedTheme): void
  setDerived(derived: DerivedSignal[]): void
  /** Sets the console's own limits of a signal; null returns it to the configuration's. */
  setLimits(signal: string, limits: SignalLimits | null): void
}

let nextLogId = 1

function newPanelId(panels: readonly PanelConfig[]): string {
  let n = panels.length + 1
  while (panels.some((p) => p.id === `panel-${n}`)) n++
  return `panel-${n}`
}

export const DEFAULT_PANELS: PanelConfig[] = [{ id: 'panel-1', kind: 'plot', title: 'Plot 1', signals: [] }]

const initialState: StateCreator<ConsoleState> = (set, get) => ({
  link: { status: 'idle', url: '', attempt: 0, retryAt: null, message: '', everConnected: false },
  extended: false,
  schema: null,
  signals: [],
  runId: null,
  run: { state: 'unknown', frame: 0, time: 0, realtimeFactor: null, mode: null, rateHz: null },
  quality: { rttMs: null, lastFrameAt: null, missingShare: null, telemetryHz: 60 },
  view: { live: true, windowS: 10, min: 0, max: 10 },
  cursorTime: null,
  panels: DEFAULT_PANELS,
  dock: null,
  dockEpoch: 0,
  activePanel: 'panel-1',
  expanded: [],
  query: '',
  eventsOpen: true,
  log: [],
  setResults: {},
  dialog: null,
  fault: null,
  settings: DEFAULT_SETTINGS,
  theme: 'dark',
  shippedLayout: null,
  derived: [],
  limits: {},

  setLink: (link) => set((s) => ({ link: { ...s.link, ...link } })),
  setSchema: (schema, extended) => {
    const signals = signalsOf(schema)
    set((s) => {
      // Derived signals are known too: a panel keeps them across a schema as it keeps the run's.
      const known = new Set([...signals.map((x) => x.name), ...s.derived.map((d) => d.name)])
      return {
      schema,
      extended,
      signals,
      // Plots keep the signals that still exist in the new schema.
      panels: s.panels.map((p) => ({ ...p, signals: p.signals.filter((n) => known.has(n)) })),
      expanded: s.expanded.length > 0 ? s.expanded : Object.keys(schema.modules),
      run: { ...s.run, mode: schema.mode ?? s.run.mode, rateHz: schema.rate_hz ?? s.run.rateHz, ...(schema.state ? { state: schema.state } : {}) },
      quality: { ...s.quality, telemetryHz: schema.telemetry_hz ?? s.quality.telemetryHz }
      }
    })
  },
  setRun: (run) => set((s) => ({ run: { ...s.run, ...run } })),
  setQuality: (quality) => set((s) => ({ quality: { ...s.quality, ...quality } })),
  setRunId: (runId) => set({ runId }),
  setWindow: (seconds) => set((s) => ({ view: { ...s.view, windowS: Math.min(MAX_WINDOW_S, Math.max(1, seconds)), live: true } })),
  goLive: () => set((s) => ({ view: { ...s.view, live: true } })),
  freezeView: (min, max) => {
    if (!(max > min)) return
    set((s) => ({ view: { ...s.view, live: false, min, max } }))
  },
  setCursor: (time) => {
    if (get().cursorTime !== time) set({ cursorTime: time })
  },
  addPanel: (kind = 'plot', title = kind === 'plot' ? 'Plot' : 'Values') => {
    const panels = get().panels
    const id = newPanelId(panels)
    // Numbered when there is more than one of a kind: "Plot 2", "XY 3".
    const count = panels.filter((p) => p.kind === kind).length
    const name = kind === 'plot' || count > 0 ? `${title} ${count + 1}` : title
    set({ panels: [...panels, { id, kind, title: name, signals: [] }], activePanel: id })
    return id
  },
  removePanel: (id) =>
    set((s) => {
      const panels = s.panels.filter((p) => p.id !== id)
      return { panels, activePanel: s.activePanel === id ? (panels[0]?.id ?? null) : s.activePanel }
    }),
  renamePanel: (id, title) => {
    const name = title.trim()
    if (name === '') return
    set((s) => ({ panels: s.panels.map((p) => (p.id === id ? { ...p, title: name } : p)) }))
  },
  setPanelOptions: (id, options) => set((s) => ({ panels: s.panels.map((p) => (p.id === id ? { ...p, options: { ...p.options, ...options } } : p)) })),
  setPanelSignals: (id, signals) => set((s) => ({ panels: s.panels.map((p) => (p.id === id ? { ...p, signals } : p)) })),
  setDock: (dock) => set({ dock }),
  applyWorkspace: (w) =>
    set((s) => ({
      panels: w.panels,
      dock: w.dock,
      dockEpoch: s.dockEpoch + 1,
      activePanel: w.activePanel ?? w.panels[0]?.id ?? null,
      view: { ...s.view, live: true, windowS: w.windowS },
      expanded: w.expanded,
      eventsOpen: w.eventsOpen,
      derived: w.derived,
      limits: w.limits
    })),
  setActivePanel: (id) => set({ activePanel: id }),
  addSignal: (signal, panelId) => {
    const s = get()
    // The active panel takes it when it lists signals (a plot or a table), else the first plot.
    let target = s.panels.find((p) => p.id === (panelId ?? s.activePanel) && (p.kind === 'plot' || p.kind === 'table')) ?? s.panels.find((p) => p.kind === 'plot')
    if (!target) {
      const id = s.addPanel('plot')
      target = get().panels.find((p) => p.id === id)!
    }
    const id = target.id
    set((st) => ({
      activePanel: id,
      panels: st.panels.map((p) => (p.id === id && !p.signals.includes(signal) ? { ...p, signals: [...p.signals, signal] } : p))
    }))
  },
  removeSignal: (panelId, signal) =>
    set((s) => ({ panels: s.panels.map((p) => (p.id === panelId ? { ...p, signals: p.signals.filter((n) => n !== signal) } : p)) })),
  setExpanded: (expanded) => set({ expanded }),
  toggleExpanded: (id) => set((s) => ({ expanded: s.expanded.includes(id) ? s.expanded.filter((e) => e !== id) : [...s.expanded, id] })),
  setQuery: (query) => set({ query }),
  setEventsOpen: (eventsOpen) => set({ eventsOpen }),
  addLog: (kind, text) => set((s) => ({ log: [...s.log.slice(-(LOG_LIMIT - 1)), { id: nextLogId++, at: Date.now(), kind, text }] })),
  clearLog: () => set({ log: [] }),
  setSetResult: (signal, result) => set((s) => ({ setResults: { ...s.setResults, [signal]: result } })),
  setDialog: (dialog) => set({ dialog }),
  setFault: (fault) => set({ fault }),
  setSettings: (settings) => set((s) => ({ settings: { ...s.settings, ...settings } })),
  setTheme: (theme) => set({ theme }),
  setDerived: (derived) => set({ derived }),
  setLimits: (signal, limits) =>
    set((s) => {
      const next = { ...s.limits }
      if (limits === null) delete next[signal]
      else next[signal] = limits
      return { limits: next }
    })
})

export const useConsole = create<ConsoleState>()(initialState)

/** A store of its own, as a second window would have (tests). */
export const createConsoleStore = () => createStore<ConsoleState>()(initialState)

/** The part of the state a window keeps and a layout file holds (see workspace/persistence.ts). */
export function workspaceOf(s: ConsoleState): Workspace {
  return { panels: s.panels, dock: s.dock, activePanel: s.activePanel, windowS: s.view.windowS, expanded: s.expanded, eventsOpen: s.eventsOpen, derived: s.derived, limits: s.limits }
}

/** Every signal some panel shows: what must be subscribed when not everything is. */
export function usedSignals(panels: readonly PanelConfig[]): string[] {
  return [...new Set(panels.flatMap((p) => p.signals))]
}
