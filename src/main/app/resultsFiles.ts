// File > Open Results… in the desktop app: the main process shows the dialog and reads the table (bounded
// in size); the console parses and shows it, so a bad file is refused in one place, with the reason.
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { dialog, type BrowserWindow } from 'electron'
import { IPC } from '../../shared/desktop'
import { MAX_RESULTS_BYTES, type ResultsMenuRequest } from '../../shared/results'

export async function readResultsFile(file: string): Promise<ResultsMenuRequest> {
  const name = basename(file)
  try {
    const st = await stat(file)
    if (!st.isFile()) return { action: 'open-failed', name, error: `${file} is not a file` }
    if (st.size > MAX_RESULTS_BYTES) return { action: 'open-failed', name, error: `${file} is ${st.size} bytes; a results table may be at most ${MAX_RESULTS_BYTES} bytes` }
    return { action: 'open', name, path: file, bytes: new Uint8Array(await readFile(file)) }
  } catch (error) {
    return { action: 'open-failed', name, error: `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** Shows the open dialog and sends what was picked to the window. */
export async function openResultsFromMenu(window: BrowserWindow | null): Promise<void> {
  const options = { title: 'Open sweep results', properties: ['openFile' as const], filters: [{ name: 'Sweep results', extensions: ['csv', 'parquet'] }] }
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  const file = picked.filePaths[0]
  if (picked.canceled || !file) return
  window?.webContents.send(IPC.resultsMenu, await readResultsFile(file))
}
