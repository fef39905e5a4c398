// The Electron entry with Electron replaced by a recording stand-in: the glue runs for real (engine,
// server, menu, IPC), so what can be checked without the Electron binary is checked here.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { HermesClient } from '../shared/client/hermesClient'
import { IPC, type OpenResult } from '../shared/desktop'

type Handler = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown

const electron = vi.hoisted(() => {
  const handlers = new Map<string, Handler>()
  const windows: { options: Record<string, unknown>; url: string; sent: [string, unknown][]; navigation: ((e: { preventDefault(): void }, url: string) => void) | null; openHandler: ((d: { url: string }) => { action: string }) | null }[] = []
  let menu: { items: { label?: string; submenu?: { items: { id?: string; label?: string; click?: () => void; enabled?: boolean }[] } }[] } | null = null
  let exitCode: number | null = null
  let ready: () => void = () => undefined
  const whenReady = new Promise<void>((r) => (ready = r))
  return {
    handlers,
    windows,
    menu: () => menu,
    exitCode: () => exitCode,
    ready: () => ready(),
    dialogPick: { file: '' },
    module: {
      app: {
        isPackaged: false,
        whenReady: () => whenReady,
        getPath: () => mkdtempSync(join(tmpdir(), 'hermes-electron-')),
        on: () => undefined,
        exit: (code: number) => {
          exitCode = code
        },
        quit: () => undefined
      },
      BrowserWindow: class {
        webContents: { on: (e: string, f: (e: { preventDefault(): void }, url: string) => void) => void; setWindowOpenHandler: (f: (d: { url: string }) => { action: string }) => void; send: (c: string, v: unknown) => void }
        private record: (typeof windows)[number]
        constructor(options: Record<string, unknown>) {
          this.record = { options, url: '', sent: [], navigation: null, openHandler: null }
          windows.push(this.record)
          const record = this.record
          this.webContents = {
            on: (event, f) => {
              if (event === 'will-navigate') record.navigation = f
            },
            setWindowOpenHandler: (f) => {
              record.openHandler = f
            },
            send: (channel, value) => void record.sent.push([channel, value])
          }
        }
        loadURL(url: string): Promise<void> {
          this.record.url = url
          return Promise.resolve()
        }
      },
      ipcMain: { handle: (channel: string, f: Handler) => void handlers.set(channel, f) },
      Menu: {
        buildFromTemplate: (t: unknown) => t,
        setApplicationMenu: (m: unknown) => {
          menu = { items: (m as { label?: string; submenu?: unknown }[]).map((i) => ({ ...i, submenu: Array.isArray(i.submenu) ? { items: i.submenu as never } : undefined })) }
        }
      },
      dialog: {
        showOpenDialog: () => Promise.resolve({ canceled: false, filePaths: [electron.dialogPick.file] }),
        showErrorBox: () => undefined
      },
      shell: { openExternal: () => Promise.resolve() }
    }
  }
})

vi.mock('electron', () => electron.module)

const dir = mkdtempSync(join(tmpdir(), 'hermes-app-'))
const OTHER = join(dir, 'other.yaml')
writeFileSync(OTHER, 'modules:\n  knob: { type: inproc, model: injection, signals: [{ name: level }] }\nexecution: { mode: realtime, rate_hz: 50 }\n')
const BROKEN = join(dir, 'broken.yaml')
writeFileSync(BROKEN, 'modules:\n  knob: { type: inproc, model: injection }\nexecution:\n  rate_hz: 0\n')

let origin = ''
const fromConsole = () => ({ senderFrame: { url: `${origin}/` } })

beforeAll(async () => {
  process.argv = [process.argv[0]!, 'out/main/index.js', '--port', '0']
  await import('./index')
  electron.ready()
  await vi.waitFor(() => expect(electron.windows).toHaveLength(1), { timeout: 10_000 })
  origin = new URL(electron.windows[0]!.url).origin
})

describe('the Electron entry, with Electron stood in for', () => {
  it('opens one locked-down window on the console served by its own engine', () => {
    const win = electron.windows[0]!
    expect(win.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    const prevented = vi.fn()
    win.navigation!({ preventDefault: prevented }, 'https://elsewhere.example/')
    expect(prevented).toHaveBeenCalled()
    expect(win.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(electron.exitCode()).toBeNull()
  })

  it('answers the console, and only the console, with the server address', async () => {
    const url = (await electron.handlers.get(IPC.serverUrl)!(fromConsole())) as string
    expect(url).toBe(`ws://127.0.0.1:${new URL(origin).port}`)
    expect(() => electron.handlers.get(IPC.serverUrl)!({ senderFrame: { url: 'https://evil.example/' } })).toThrow('IPC refused')
    expect(() => electron.handlers.get(IPC.openPath)!({ senderFrame: null }, OTHER)).toThrow('IPC refused')
  })

  it('serves the demo, and File > Open replaces it for every client on the same port', async () => {
    const url = (await electron.handlers.get(IPC.serverUrl)!(fromConsole())) as string
    const client = await HermesClient.connect(url, { WebSocket: WebSocket as never })
    expect(client.signals).toContain('vehicle.position.x')
    // The first schema event may be the extended demo schema that follows hello; wait for the new run's.
    const schema = new Promise<string[]>((resolve) => client.on('schema', () => client.signals.includes('knob.level') && resolve(client.signals)))
    electron.dialogPick.file = OTHER
    const file = electron.menu()!.items[0]!.submenu!.items.find((i) => i.id === 'open')!
    file.click!()
    expect(await schema).toEqual(['knob.level'])
    await vi.waitFor(() => expect(electron.windows[0]!.sent).toContainEqual([IPC.openResult, { ok: true, file: OTHER, warnings: [] }]))
    const recent = electron.menu()!.items[0]!.submenu!.items.find((i) => i.id === 'recent') as unknown as { submenu: { label: string }[] }
    expect(recent.submenu.map((i) => i.label)).toContain(OTHER)
    client.close()
  })

  it('reports an invalid dropped file with line and column and keeps the run', async () => {
    const result = (await electron.handlers.get(IPC.openPath)!(fromConsole(), BROKEN)) as OpenResult
    expect(result).toEqual({ ok: false, file: BROKEN, errors: [`${BROKEN}:4:12: execution.rate_hz: rate_hz must be positive`], warnings: [] })
    const reloaded = (await electron.handlers.get(IPC.reload)!(fromConsole())) as OpenResult
    expect(reloaded).toMatchObject({ ok: true, file: OTHER })
  })
})
