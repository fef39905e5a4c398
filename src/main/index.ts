// Electron entry: glue only. The engine (EngineHost) runs the configuration and serves the port; the
// window loads the console from that port and talks to it as any client would.
import { app, BrowserWindow, dialog, ipcMain, Menu, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron'
import { join } from 'node:path'
import { IPC, type OpenResult } from '../shared/desktop'
import { EngineHost } from './app/engineHost'
import { configFromArgs, isTrustedOrigin, portFromArgs } from './app/launch'
import { RecentFiles } from './app/recentFiles'
import { DEFAULT_CONFIG, RENDERER_DIR } from './paths'
import { version } from '../../package.json'

let host: EngineHost | null = null
let window: BrowserWindow | null = null
let recent: RecentFiles
const devUrl = process.env.ELECTRON_RENDERER_URL

function consoleUrl(h: EngineHost): string {
  // In development the console comes from the renderer dev server and connects to the engine's port.
  return devUrl ? `${devUrl}?server=${encodeURIComponent(h.server.url)}` : `http://127.0.0.1:${h.state.port}/`
}

function trustedOrigins(h: EngineHost): string[] {
  return [`http://127.0.0.1:${h.state.port}`, ...(devUrl ? [new URL(devUrl).origin] : [])]
}

function checkSender(event: IpcMainInvokeEvent): void {
  if (!host || !isTrustedOrigin(event.senderFrame?.url, trustedOrigins(host))) throw new Error('IPC refused: sender is not the console')
}

async function open(file: string): Promise<OpenResult> {
  if (!host) throw new Error('the engine is not running')
  const result = await host.open(file)
  if (result.ok) {
    recent.add(result.file)
    buildMenu()
  }
  return result
}

/** Opens from the menu: the console shows the outcome, errors included. */
function openFromMenu(run: () => Promise<OpenResult | null>): void {
  void run().then((result) => {
    if (result) window?.webContents.send(IPC.openResult, result)
  })
}

async function showOpenDialog(): Promise<OpenResult | null> {
  const options = { title: 'Open configuration', properties: ['openFile' as const], filters: [{ name: 'Hermes configuration', extensions: ['yaml', 'yml'] }] }
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  const file = picked.filePaths[0]
  return picked.canceled || !file ? null : open(file)
}

function buildMenu(): void {
  const recentItems: MenuItemConstructorOptions[] = recent.list().map((file) => ({ label: file, click: () => openFromMenu(() => open(file)) }))
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { id: 'open', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => openFromMenu(showOpenDialog) },
        { id: 'recent', label: 'Open Recent', submenu: recentItems.length > 0 ? recentItems : [{ label: 'No recent files', enabled: false }] },
        { id: 'reload', label: 'Reload', accelerator: 'CmdOrCtrl+R', click: () => openFromMenu(() => (host ? host.reload() : Promise.resolve(null))) },
        { type: 'separator' },
        { role: 'quit' }
      ]
    },
    { label: 'View', submenu: [{ role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }] },
    { role: 'help', submenu: [{ label: `Hermes Console ${version}`, enabled: false }] }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

function createWindow(h: EngineHost): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: `Hermes Console — ${h.server.url}`,
    backgroundColor: '#0f1115',
    webPreferences: { preload: join(__dirname, '../preload/index.js'), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true }
  })
  const home = consoleUrl(h)
  // The window shows the console and nothing else: no navigation away, no new windows.
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== home) event.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  void win.loadURL(home)
  return win
}

async function main(): Promise<void> {
  await app.whenReady()
  recent = new RecentFiles(join(app.getPath('userData'), 'recent.json'))
  const args = process.argv.slice(app.isPackaged ? 1 : 2)
  const file = configFromArgs(args, DEFAULT_CONFIG)
  try {
    host = await EngineHost.start(file, { port: portFromArgs(args), host: null, staticDir: RENDERER_DIR, allowedOrigins: devUrl ? [new URL(devUrl).origin] : [], serverName: `hermes-console/${version}` })
  } catch (error) {
    dialog.showErrorBox('Hermes Console cannot start', error instanceof Error ? error.message : String(error))
    app.exit(1)
    return
  }
  if (file !== DEFAULT_CONFIG) recent.add(file)
  ipcMain.handle(IPC.serverUrl, (event) => {
    checkSender(event)
    return host?.server.url
  })
  ipcMain.handle(IPC.openDialog, (event) => {
    checkSender(event)
    return showOpenDialog()
  })
  ipcMain.handle(IPC.openPath, (event, path: unknown) => {
    checkSender(event)
    if (typeof path !== 'string') throw new Error('open: expected a file path')
    return open(path)
  })
  ipcMain.handle(IPC.reload, (event) => {
    checkSender(event)
    if (!host) throw new Error('the engine is not running')
    return host.reload()
  })
  buildMenu()
  window = createWindow(host)
}

app.on('window-all-closed', () => {
  void (host?.stop() ?? Promise.resolve()).finally(() => app.quit())
})

void main()
