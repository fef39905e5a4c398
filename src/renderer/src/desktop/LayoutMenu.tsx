// The desktop app's File > Export Layout… and Import Layout…: the main process shows the file dialogs
// and reads or writes the file; the console produces and validates the layout, and logs the outcome.
import { useEffect } from 'react'
import type { DesktopApi, LayoutMenuRequest } from '../../../shared/desktop'
import { useConsole } from '../store/store'
import { exportLayout, importLayout } from '../workspace/layoutTransfer'
import { desktop } from './desktop'

export async function answerLayoutMenu(api: Pick<DesktopApi, 'saveLayout'>, request: LayoutMenuRequest): Promise<void> {
  const log = useConsole.getState().addLog
  if (request.action === 'export') {
    const { name, text } = exportLayout()
    const saved = await api.saveLayout(name, text)
    if (saved?.ok) log('info', `layout exported to ${saved.file}`)
    else if (saved) log('error', `layout not exported: ${saved.error}`)
    return
  }
  if (request.action === 'import-failed') {
    log('error', `layout not imported: ${request.error}`)
    return
  }
  const outcome = importLayout(request.name, request.text)
  if (outcome.ok) log('info', `layout imported from ${request.name}`)
  else for (const problem of [`layout not imported, nothing changed: ${request.name} is not a valid layout`, ...outcome.problems]) log('error', problem)
}

/** Listens for the File menu's layout items; renders nothing. */
export function LayoutMenu() {
  useEffect(() => {
    const api = desktop()
    if (!api) return
    return api.onLayoutMenu((request) => void answerLayoutMenu(api, request))
  }, [])
  return null
}
