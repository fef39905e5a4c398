// Electron entry: glue only. The engine (EngineHost) runs the configuration and serves the port; the
// window loads the console from that port and talks to it as any client would.
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron'
import { mkdirSync, statSync } from 'node:fs'
import { basename, extname, isAbsolute, join } from 'node:path'
import { IPC, type LayoutMenuRequest, type OpenResult, type SaveResult } from '../shared/desktop'
import { EngineHost, type RecordingPolicy } from './app/engineHost'
import { readLayoutFile, writeLayoutFile } from './app/layoutFiles'
import { openResultsFromMenu } from './app/resultsFiles'
import { configFromArgs, isTrustedOrigin, portFromArgs } from './app/launch'
import { RecentFiles } from './app/recentFiles'
import { RETENTION_CHOICES, retentionLabel, SettingsFile, type AppSettings } from './app/settings'
import { logger } from './engine/log'
import { DEFAULT_CONFIG, RENDERER_DIR } from './paths'
import { version } from '../../package.json'
import { boundedText } from '../shared/text/bounded'

let host: EngineHost | null = null
let window: BrowserWindow | null = null
let recent: RecentFiles
let settings: SettingsFile
/** Where the app records every run by default: its data folder's runs/ (Recording > Show Runs Folder). */
let runsFolder = ''
const log = logger('app')
// The renderer dev server exists only in development: a packaged app ignores the variable, so nothing in
// its environment can point the window (and its IPC trust) at another page.
const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
/** The only places a link in the console may open in the system browser. */
const EXTERNAL_ORIGINS: ReadonlySet<string> = new Set(['https://github.com'])
const MAX_PATH_CHARS = 4096

/** Whether a link may go to the system browser: https, on an allowed origin, with no credentials in it. */
function isAllowedExternal(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && EXTERNAL_ORIGINS.has(parsed.origin)
  } catch {
    return false
  }
}

/**
 * What the console may ask to open by path (a dropped file): an existing .yaml or .yml file, given by its
 * absolute path. Anything else is refused with the reason, before the engine reads a byte of it.
 */
function checkConfigPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new Error('open: expected a file path')
  const shown = boundedText(path, 200)
  if (path.length > MAX_PATH_CHARS || path.includes('\0')) throw new Error(`open: not a usable file path: ${shown}`)
  if (!isAbsolute(path)) throw new Error(`open: expected an absolute path, got ${shown}`)
  if (!['.yaml', '.yml', '.mcap'].includes(extname(path).toLowerCase())) throw new Error(`open: only .yaml and .yml configurations and .mcap recordings can be opened, got ${shown}`)
  let regular = false
  try {
    regular = statSync(path).isFile()
  } catch {
    throw new Error(`open: no such file: ${shown}`)
  }
  if (!regular) throw new Error(`open: not a regular file: ${shown}`)
  return path
}

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

/** File > Import Layout…: the main process reads the file, the console validates and applies it. */
async function importLayoutFromMenu(): Promise<void> {
  const options = { title: 'Import console layout', properties: ['openFile' as const], filters: [{ name: 'Console layout', extensions: ['json'] }] }
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  const file = picked.filePaths[0]
  if (picked.canceled || !file) return
  window?.webContents.send(IPC.layoutMenu, await readLayoutFile(file))
}

async function saveLayout(suggestedName: unknown, text: unknown): Promise<SaveResult> {
  const name = typeof suggestedName === 'string' ? basename(suggestedName) : 'console.layout.json'
  const options = { title: 'Export console layout', defaultPath: name, filters: [{ name: 'Console layout', extensions: ['json'] }] }
  const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options)
  return picked.canceled || !picked.filePath ? null : writeLayoutFile(picked.filePath, text)
}

async function showOpenDialog(): Promise<OpenResult | null> {
  const options = {
    title: 'Open configuration or recording',
    properties: ['openFile' as const],
    filters: [
      { name: 'Hermes configuration or recording', extensions: ['yaml', 'yml', 'mcap'] },
      { name: 'Hermes configuration', extensions: ['yaml', 'yml'] },
      { name: 'Hermes recording', extensions: ['mcap'] }
    ]
  }
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  const file = picked.filePaths[0]
  return picked.canceled || !file ? null : open(file)
}

function recordingPolicy(): RecordingPolicy {
  const s = settings.value
  return { folder: runsFolder, enabled: s.recordRuns, maxTotalBytes: s.retentionBytes }
}

/** A Recording menu change: saved, told to the engine (on/off for the next run, a new limit at once), shown in the menu. */
function changeSettings(patch: Partial<AppSettings>): void {
  settings.update(patch)
  host?.setRecording(recordingPolicy())
  buildMenu()
}

async function showRunsFolder(): Promise<void> {
  try {
    mkdirSync(runsFolder, { recursive: true })
  } catch (error) {
    dialog.showErrorBox('Cannot show the runs folder', `${runsFolder}: ${error instanceof Error ? error.message : String(error)}`)
    return
  }
  const failed = await shell.openPath(runsFolder)
  if (failed) dialog.showErrorBox('Cannot show the runs folder', `${runsFolder}: ${failed}`)
}

/**
 * Recording: on/off (from the next run, said in the menu), the runs folder's size limit as four fixed
 * choices (one click, the current one checked; no units to type), and the folder itself.
 */
function recordingMenu(): MenuItemConstructorOptions[] {
  const s = settings.value
  const now = host?.state.recording
  const limits: (number | null)[] = RETENTION_CHOICES.includes(s.retentionBytes) ? [...RETENTION_CHOICES] : [...RETENTION_CHOICES, s.retentionBytes]
  return [
    { id: 'recording-now', label: now ? `This run records to ${basename(now)}` : 'This run is not recorded', enabled: false },
    { type: 'separator' },
    { id: 'record-runs', label: 'Record Every Run (from the next run: Open, Reload)', type: 'checkbox', checked: s.recordRuns, click: () => changeSettings({ recordRuns: !settings.value.recordRuns }) },
    {
      id: 'retention',
      label: 'Runs Folder Limit',
      submenu: [
        { label: 'Beyond it, the oldest recordings are deleted', enabled: false },
        ...limits.map((bytes): MenuItemConstructorOptions => ({
          id: `retention-${bytes ?? 'unlimited'}`,
          label: RETENTION_CHOICES.includes(bytes) ? retentionLabel(bytes) : `${retentionLabel(bytes)} (from settings.json)`,
          type: 'radio',
          checked: s.retentionBytes === bytes,
          click: () => changeSettings({ retentionBytes: bytes })
        }))
      ]
    },
    { id: 'show-runs', label: 'Show Runs Folder', click: () => void showRunsFolder() }
  ]
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
        { id: 'export-layout', label: 'Export Layout…', click: () => window?.webContents.send(IPC.layoutMenu, { action: 'export' } satisfies LayoutMenuRequest) },
        { id: 'import-layout', label: 'Import Layout…', click: () => void importLayoutFromMenu() },
        { id: 'open-results', label: 'Open Results…', click: () => void openResultsFromMenu(window) },
        { type: 'separator' },
        { role: 'quit' }
      ]
    },
    { label: 'Recording', submenu: recordingMenu() },
    {
      label: 'View',
      // DevTools are for development: a packaged console has neither the item nor the shortcut.
      submenu: [...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }, { type: 'separator' as const }]), { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }]
    },
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
    webPreferences: { preload: join(__dirname, '../preload/index.js'), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: !app.isPackaged }
  })
  const home = consoleUrl(h)
  // The window shows the console and nothing else: no navigation away, no new windows.
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== home) event.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  void win.loadURL(home)
  return win
}

async function main(): Promise<void> {
  await app.whenReady()
  // The console needs no camera, microphone, notifications, geolocation...: every request and check is denied.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  const data = app.getPath('userData')
  recent = new RecentFiles(join(data, 'recent.json'))
  settings = new SettingsFile(join(data, 'settings.json'), log)
  runsFolder = join(data, 'runs')
  const args = process.argv.slice(app.isPackaged ? 1 : 2)
  const file = configFromArgs(args, DEFAULT_CONFIG)
  try {
    host = await EngineHost.start(file, { port: portFromArgs(args), host: null, staticDir: RENDERER_DIR, allowedOrigins: devUrl ? [new URL(devUrl).origin] : [], serverName: `hermes-console/${version}`, recording: recordingPolicy() })
  } catch (error) {
    dialog.showErrorBox('Hermes Console cannot start', error instanceof Error ? error.message : String(error))
    app.exit(1)
    return
  }
  if (file !== DEFAULT_CONFIG) recent.add(file)
  // The Recording menu says whether this run records: rebuilt on every run change (Open, Reload, the console's).
  host.onChange(() => buildMenu())
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
    return open(checkConfigPath(path))
  })
  ipcMain.handle(IPC.openRecording, (event, path: unknown) => {
    checkSender(event)
    const file = checkConfigPath(path)
    if (extname(file).toLowerCase() !== '.mcap') throw new Error(`openRecording: expected a .mcap recording, got ${boundedText(file, 200)}`)
    return open(file)
  })
  ipcMain.handle(IPC.saveLayout, (event, suggestedName: unknown, text: unknown) => {
    checkSender(event)
    return saveLayout(suggestedName, text)
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
