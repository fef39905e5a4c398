// The only bridge between the console window and the main process: the few typed calls of DesktopApi.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { IPC, type DesktopApi, type LayoutMenuRequest, type OpenResult, type SaveResult } from '../shared/desktop'
import type { ResultsMenuRequest } from '../shared/results'

const api: DesktopApi = {
  serverUrl: () => ipcRenderer.invoke(IPC.serverUrl) as Promise<string>,
  openConfig: () => ipcRenderer.invoke(IPC.openDialog) as Promise<OpenResult | null>,
  // A sandboxed page sees no file paths; the preload may ask Electron for a dropped file's path.
  openDropped: (file) => ipcRenderer.invoke(IPC.openPath, webUtils.getPathForFile(file)) as Promise<OpenResult>,
  reload: () => ipcRenderer.invoke(IPC.reload) as Promise<OpenResult>,
  onOpenResult: (listener) => {
    const handler = (_event: IpcRendererEvent, result: OpenResult): void => listener(result)
    ipcRenderer.on(IPC.openResult, handler)
    return () => {
      ipcRenderer.off(IPC.openResult, handler)
    }
  },
  onLayoutMenu: (listener) => {
    const handler = (_event: IpcRendererEvent, request: LayoutMenuRequest): void => listener(request)
    ipcRenderer.on(IPC.layoutMenu, handler)
    return () => {
      ipcRenderer.off(IPC.layoutMenu, handler)
    }
  },
  onResultsMenu: (listener) => {
    const handler = (_event: IpcRendererEvent, request: ResultsMenuRequest): void => listener(request)
    ipcRenderer.on(IPC.resultsMenu, handler)
    return () => {
      ipcRenderer.off(IPC.resultsMenu, handler)
    }
  },
  saveLayout: (suggestedName, text) => ipcRenderer.invoke(IPC.saveLayout, suggestedName, text) as Promise<SaveResult>,
  openRecording: (path) => ipcRenderer.invoke(IPC.openRecording, path) as Promise<OpenResult>
}

contextBridge.exposeInMainWorld('hermesDesktop', api)
