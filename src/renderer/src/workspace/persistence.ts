// Keeps each window's workspace across reloads, and the last workspace used with each configuration.
// A window's own workspace lives in sessionStorage (per tab, survives a reload, never shared), so two
// windows never overwrite each other; localStorage keeps one workspace per configuration, which a new
// window, or opening that configuration again, starts from. Writes happen when the workspace changes,
// debounced, never because telemetry, the run or the cursor moved.
import type { StoreApi } from 'zustand'
import { workspaceOf, type ConsoleState } from '../store/store'
import { layoutFile, parseLayout, type Workspace } from './workspace'

export const WINDOW_KEY = 'hermes-console.workspace'
export const CONFIG_KEY_PREFIX = 'hermes-console.workspace:'
export const LAST_CONFIG_KEY = 'hermes-console.last-config'
export const WRITE_DEBOUNCE_MS = 400

export interface Storages {
  session: Pick<Storage, 'getItem' | 'setItem'>
  local: Pick<Storage, 'getItem' | 'setItem'>
}

interface Stored {
  config: string | null
  layout: unknown
}

/**
 * Counts storage writes, for the console benchmark and the e2e (target: none while only the run streams),
 * and whether one is pending, so a check can wait for the workspace to settle instead of sleeping.
 */
export const persistenceStats = { writes: 0, pending: false }

const layoutChanged = (a: ConsoleState, b: ConsoleState): boolean =>
  a.panels !== b.panels || a.dock !== b.dock || a.activePanel !== b.activePanel || a.view.windowS !== b.view.windowS || a.expanded !== b.expanded || a.eventsOpen !== b.eventsOpen || a.derived !== b.derived || a.limits !== b.limits

function read(storage: Pick<Storage, 'getItem'>, key: string): { config: string | null; workspace: Workspace; text: string } | null {
  let text: string | null
  try {
    text = storage.getItem(key)
  } catch {
    return null
  }
  if (!text) return null
  try {
    const stored = JSON.parse(text) as Stored
    const parsed = parseLayout(JSON.stringify(stored.layout))
    // A stored workspace that no longer validates (an older console's) is ignored, not half-applied.
    return parsed.ok ? { config: typeof stored.config === 'string' ? stored.config : null, workspace: parsed.workspace, text } : null
  } catch {
    return null
  }
}

/**
 * The key a configuration's workspace is kept under: its file, else the server it came from. An extended
 * server first sends seed 000's plain schema, then (after hello) the extended one that names the file:
 * the plain one decides nothing.
 */
export function configKeyOf(state: Pick<ConsoleState, 'schema' | 'link' | 'extended'>): string | null {
  const schema = state.schema
  if (!schema) return null
  if (state.extended && schema.run_id === undefined) return null
  return schema.config ?? (state.link.url || null)
}

export class WorkspacePersistence {
  private config: string | null = null
  /** Whether this window started from a stored workspace (then a configuration's own layout does not replace it). */
  private restored = false
  private timer: ReturnType<typeof setTimeout> | null = null
  /** What this window last wrote (or restored): a burst that ends where it began writes nothing. */
  private lastWritten: string | null = null
  private readonly unsubscribe: () => void

  constructor(
    private readonly store: StoreApi<ConsoleState>,
    private readonly storages: Storages
  ) {
    const last = this.safeGet(storages.local, LAST_CONFIG_KEY)
    const restored = read(storages.session, WINDOW_KEY) ?? (last !== null ? read(storages.local, CONFIG_KEY_PREFIX + last) : null)
    if (restored) {
      this.lastWritten = restored.text
      this.config = restored.config
      this.restored = true
      store.getState().applyWorkspace(restored.workspace)
    }
    this.unsubscribe = store.subscribe((state, previous) => {
      if (state.schema !== previous.schema) {
        this.noteShipped(state)
        this.onConfig(configKeyOf(state))
      }
      if (layoutChanged(state, previous)) this.schedule()
    })
  }

  /** Writes now what is pending (before a reload or close). */
  flush(): void {
    if (!this.timer) return
    clearTimeout(this.timer)
    this.timer = null
    persistenceStats.pending = false
    this.write()
  }

  stop(): void {
    this.flush()
    this.unsubscribe()
  }

  /** The layout the served configuration ships, kept for Reset layout and for its first opening. */
  private noteShipped(state: ConsoleState): void {
    const shipped = state.schema?.console_layout
    let workspace: Workspace | null = null
    if (shipped !== undefined && shipped !== null) {
      const parsed = parseLayout(JSON.stringify(shipped))
      if (parsed.ok) workspace = parsed.workspace
      else state.addLog('error', `the configuration's console layout was not used: ${parsed.errors.join('; ')}`)
    }
    if (workspace !== state.shippedLayout) this.store.setState({ shippedLayout: workspace })
  }

  /**
   * Another configuration is served: keep this one's workspace, and bring back the one last used with it,
   * or, the first time it is opened, the layout it ships.
   */
  private onConfig(key: string | null): void {
    if (key === null || key === this.config) return
    const first = this.config === null
    this.flush()
    this.config = key
    const saved = first && this.restored ? null : read(this.storages.local, CONFIG_KEY_PREFIX + key)
    const shipped = this.store.getState().shippedLayout
    if (saved) this.store.getState().applyWorkspace(saved.workspace)
    else if (shipped) this.store.getState().applyWorkspace(shipped)
    this.schedule()
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    persistenceStats.pending = true
    this.timer = setTimeout(() => {
      this.timer = null
      persistenceStats.pending = false
      this.write()
    }, WRITE_DEBOUNCE_MS)
  }

  private write(): void {
    const stored: Stored = { config: this.config, layout: layoutFile(workspaceOf(this.store.getState())) }
    const text = JSON.stringify(stored)
    if (text === this.lastWritten) return
    this.lastWritten = text
    persistenceStats.writes++
    try {
      this.storages.session.setItem(WINDOW_KEY, text)
      if (this.config !== null) {
        this.storages.local.setItem(CONFIG_KEY_PREFIX + this.config, text)
        this.storages.local.setItem(LAST_CONFIG_KEY, this.config)
      }
    } catch {
      // Storage full or denied (private mode): the workspace still works, it is just not kept.
    }
  }

  private safeGet(storage: Pick<Storage, 'getItem'>, key: string): string | null {
    try {
      return storage.getItem(key)
    } catch {
      return null
    }
  }
}
