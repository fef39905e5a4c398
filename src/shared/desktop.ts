// The contract between the desktop app's preload and its console: the few calls the window may make.
import type { ResultsMenuRequest } from './results'

export type OpenResult =
  | { ok: true; file: string; warnings: string[] }
  | { ok: false; file: string; errors: string[]; warnings: string[] }

/** Exposed by the preload as `window.hermesDesktop`; absent when the console runs in a browser. */
export interface DesktopApi {
  /** The engine's WebSocket address, e.g. ws://127.0.0.1:8765. */
  serverUrl(): Promise<string>
  /** Shows the open dialog (YAML files); null when cancelled. */
  openConfig(): Promise<OpenResult | null>
  /** Opens a YAML file dropped on the window. */
  openDropped(file: File): Promise<OpenResult>
  /** Opens the current configuration again. */
  reload(): Promise<OpenResult>
  /** Results of opens started from the menu. */
  onOpenResult(listener: (result: OpenResult) => void): () => void
  /** File > Export Layout… and File > Import Layout… (the file already read by the main process). */
  onLayoutMenu(listener: (request: LayoutMenuRequest) => void): () => void
  /** Shows the save dialog and writes a layout file. */
  saveLayout(suggestedName: string, text: string): Promise<SaveResult>
  /** File > Open Results…: a sweep's results table, read by the main process (or why it could not be). Optional: older preloads lack it. */
  onResultsMenu?(listener: (request: ResultsMenuRequest) => void): () => void
  /** Replays a recording (an .mcap file named by a sweep's results table or a runs folder) in place of the current run. */
  openRecording(path: string): Promise<OpenResult>
}

export const IPC = {
  serverUrl: 'hermes:server-url',
  openDialog: 'hermes:open-dialog',
  openPath: 'hermes:open-path',
  reload: 'hermes:reload',
  openResult: 'hermes:open-result',
  layoutMenu: 'hermes:layout-menu',
  saveLayout: 'hermes:save-layout',
  openRecording: 'hermes:open-recording',
  resultsMenu: 'hermes:results-menu'
} as const

export const YAML_FILE = /\.ya?ml$/i

/** What the desktop app's File menu asks of the console's layout. */
export type LayoutMenuRequest =
  | { action: 'export' }
  | { action: 'import'; name: string; text: string }
  | { action: 'import-failed'; name: string; error: string }

/** The outcome of saving a layout file; null when the save dialog was cancelled. */
export type SaveResult = { ok: true; file: string } | { ok: false; error: string } | null
