// Electron entry: one engine Session on the config's port and a window that shows the console.
import { app, BrowserWindow } from 'electron'
import { join } from 'node:path'
import { loadConfigFile } from './engine/config/load'
import { Session } from './engine/session'
import { DEFAULT_CONFIG } from './paths'

let session: Session | null = null

async function createWindow(): Promise<void> {
  const file = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => /\.ya?ml$/i.test(a)) ?? DEFAULT_CONFIG
  session = await Session.start(loadConfigFile(file).config)
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  if (process.env.ELECTRON_RENDERER_URL) await window.loadURL(process.env.ELECTRON_RENDERER_URL)
  else await window.loadFile(join(__dirname, '../renderer/index.html'))
}

app.whenReady().then(createWindow, (error: unknown) => {
  console.error(error)
  app.exit(1)
})

app.on('window-all-closed', () => {
  void session?.stop().finally(() => app.quit())
})
