// The person's preferences (theme, confirmations), kept in localStorage for every window, and the theme
// applied to the document: the system's choice unless one is picked.
import type { StoreApi } from 'zustand'
import { DEFAULT_SETTINGS, type ConsoleState, type Settings } from '../store/store'

export const SETTINGS_KEY = 'hermes-console.settings'

export function readSettings(storage: Pick<Storage, 'getItem'>): Settings {
  try {
    const raw = JSON.parse(storage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Record<keyof Settings, unknown>>
    return {
      confirmReset: typeof raw.confirmReset === 'boolean' ? raw.confirmReset : DEFAULT_SETTINGS.confirmReset,
      theme: raw.theme === 'dark' || raw.theme === 'light' || raw.theme === 'system' ? raw.theme : DEFAULT_SETTINGS.theme
    }
  } catch {
    return DEFAULT_SETTINGS
  }
}

/** The theme in force: a picked one, else the system's. */
export function resolvedTheme(setting: Settings['theme'], prefersLight: boolean): 'dark' | 'light' {
  if (setting !== 'system') return setting
  return prefersLight ? 'light' : 'dark'
}

export function startSettings(store: StoreApi<ConsoleState>, storage: Pick<Storage, 'getItem' | 'setItem'>, doc: Document): void {
  store.getState().setSettings(readSettings(storage))
  const media = doc.defaultView?.matchMedia?.('(prefers-color-scheme: light)') ?? null
  const apply = (): void => {
    const theme = resolvedTheme(store.getState().settings.theme, media?.matches ?? false)
    doc.documentElement.dataset.theme = theme
    store.getState().setTheme(theme)
  }
  apply()
  media?.addEventListener('change', apply)
  store.subscribe((state, previous) => {
    if (state.settings.theme !== previous.settings.theme) apply()
    if (state.settings === previous.settings) return
    try {
      storage.setItem(SETTINGS_KEY, JSON.stringify(state.settings))
    } catch {
      // Not kept, still in force for this window.
    }
  })
}
