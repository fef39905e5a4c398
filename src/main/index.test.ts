// The Electron entry with Electron replaced by a recording stand-in: the glue runs for real (engine,
// server, menu, IPC), so what can be checked without the Electron binary is checked here.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { parse } from 'yaml'
import { HermesClient } from '../shared/client/hermesClient'
import { IPC, type OpenResult } from '../shared/desktop'
import { RawClient, startEngine } from './engine/server/testing'

type Handler = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown
type PermissionRequest = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
type MenuEntry = { id?: string; label?: string; role?: string; click?: () => void; enabled?: boolean }

const electron = vi.hoisted(() => {
  const handlers = new Map<string, Handler>()
  const windows: { options: Record<string, unknown>; url: string; sent: [string, unknown][]; navigation: ((e: { preventDefault(): void }, url: string) => void) | null; openHandler: ((d: { url: string }) => { action: string }) | null }[] = []
  let menu: { items: { label?: string; submenu?: { items: MenuEntry[] } }[] } | null = null
  const permissions: { request: PermissionRequest | null; check: ((...args: unknown[]) => boolean) | null } = { request: null, check: null }
  const opened: string[] = []
  let exitCode: number | null = null
  let ready: () => void = () => undefined
  const whenReady = new Promise<void>((r) => (ready = r))
  return {
    handlers,
    windows,
    permissions,
    opened,
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
      shell: {
        openExternal: (url: string) => {
          opened.push(url)
          return Promise.resolve()
        }
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (f: PermissionRequest) => void (permissions.request = f),
          setPermissionCheckHandler: (f: (...args: unknown[]) => boolean) => void (permissions.check = f)
        }
      }
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

  it('denies every permission request and check', () => {
    const answers: boolean[] = []
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) electron.permissions.request!({}, permission, (granted) => answers.push(granted))
    expect(answers).toEqual([false, false, false, false, false])
    expect(electron.permissions.check!({}, 'media', 'http://127.0.0.1/', {})).toBe(false)
  })

  it('opens only allow-listed https links in the system browser', () => {
    const win = electron.windows[0]!
    for (const url of ['https://github.com/hermes/console', 'https://example.com/', 'http://github.com/', 'https://github.com.evil.example/', 'https://user:pw@github.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
      expect(win.openHandler!({ url })).toEqual({ action: 'deny' })
    }
    expect(electron.opened).toEqual(['https://github.com/hermes/console'])
  })

  it('has DevTools in the development menu', () => {
    const view = electron.menu()!.items.find((i) => i.label === 'View')!
    expect(view.submenu!.items.map((i) => i.role)).toContain('toggleDevTools')
  })

  it('opens by path only an existing .yaml or .yml file given by its absolute path', async () => {
    const notYaml = join(dir, 'notes.txt')
    writeFileSync(notYaml, 'hello')
    const open = (path: unknown) => electron.handlers.get(IPC.openPath)!(fromConsole(), path)
    expect(() => open(42)).toThrow('open: expected a file path')
    expect(() => open('other.yaml')).toThrow('open: expected an absolute path, got other.yaml')
    expect(() => open(notYaml)).toThrow(`open: only .yaml and .yml configurations and .mcap recordings can be opened, got ${notYaml}`)
    expect(() => open('/etc/passwd')).toThrow('only .yaml and .yml configurations and .mcap recordings')
    expect(() => open(join(dir, 'missing.yaml'))).toThrow('open: no such file')
    expect(() => open(`${dir}/a\0.yaml`)).toThrow('not a usable file path')
    const folder = join(dir, 'folder.yaml')
    mkdirSync(folder)
    expect(() => open(folder)).toThrow('open: not a regular file')
    expect(() => open(`/${'x'.repeat(5000)}.yaml`)).toThrow('not a usable file path')
    expect(await open(OTHER)).toMatchObject({ ok: true, file: OTHER })
  })

  it('replays a recording in place of the run through openRecording (the console only), and File > Open takes .mcap', async () => {
    const recording = join(dir, 'run.mcap')
    const recorded = await startEngine('modules:\n  knob: { type: inproc, model: injection, signals: [{ name: level, initial: 4 }] }\nexecution: { mode: afap, rate_hz: 100, end_time: 1 }\n', {}, { recording: { file: recording } })
    await recorded.session.whenEnded()
    await recorded.stop()
    const openRecording = (path: unknown) => electron.handlers.get(IPC.openRecording)!(fromConsole(), path)
    expect(() => electron.handlers.get(IPC.openRecording)!({ senderFrame: { url: 'https://evil.example/' } }, recording)).toThrow('IPC refused')
    expect(() => openRecording(OTHER)).toThrow(`openRecording: expected a .mcap recording, got ${OTHER}`)
    expect(() => openRecording(join(dir, 'missing.mcap'))).toThrow('open: no such file')
    const url = (await electron.handlers.get(IPC.serverUrl)!(fromConsole())) as string
    const client = await RawClient.open(url)
    await client.json()
    client.send({ action: 'hello' })
    expect(await openRecording(recording)).toEqual({ ok: true, file: recording, warnings: [] })
    const replayed = await client.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.type === 'schema' && r.json.replay !== undefined, 20_000)
    expect(replayed.json).toMatchObject({ modules: { knob: { signals: [{ name: 'level' }] } }, replay: { file: recording, to: 1, segments: 1 } })
    // A recording that cannot be replayed changes nothing and says why.
    const junk = join(dir, 'junk.mcap')
    writeFileSync(junk, 'not a recording')
    const refused = (await openRecording(junk)) as OpenResult
    expect(refused).toMatchObject({ ok: false, file: junk, errors: [expect.stringMatching(/^cannot replay .*junk\.mcap: /)] })
    // File > Open offers recordings too, and opens one as a replay.
    electron.dialogPick.file = recording
    electron.menu()!.items[0]!.submenu!.items.find((i) => i.id === 'open')!.click!()
    await vi.waitFor(() => expect(electron.windows[0]!.sent).toContainEqual([IPC.openResult, { ok: true, file: recording, warnings: [] }]), { timeout: 20_000 })
    client.socket.terminate()
  })
  it('File > Open Results… sends the picked table to the window, and a file it cannot read with the reason', async () => {
    const table = join(dir, 'results.csv')
    writeFileSync(table, 'index,kp,final_x,status,error,wall_s\n0,1,0.5,ok,,0.01\n')
    const openResults = electron.menu()!.items[0]!.submenu!.items.find((i) => i.id === 'open-results')!
    electron.dialogPick.file = table
    openResults.click!()
    await vi.waitFor(() => expect(electron.windows[0]!.sent.some(([channel]) => channel === IPC.resultsMenu)).toBe(true), { timeout: 10_000 })
    const sent = electron.windows[0]!.sent.filter(([channel]) => channel === IPC.resultsMenu).map(([, value]) => value as { action: string; name: string; bytes?: Uint8Array; error?: string })
    expect(sent[0]).toMatchObject({ action: 'open', name: 'results.csv' })
    expect(Buffer.from(sent[0]!.bytes!).toString()).toBe(readFileSync(table, 'utf8'))
    electron.dialogPick.file = join(dir, 'no-such-results.csv')
    openResults.click!()
    await vi.waitFor(() => expect(electron.windows[0]!.sent.filter(([channel]) => channel === IPC.resultsMenu)).toHaveLength(2), { timeout: 10_000 })
    expect(electron.windows[0]!.sent.filter(([channel]) => channel === IPC.resultsMenu)[1]![1]).toMatchObject({ action: 'open-failed', name: 'no-such-results.csv', error: expect.stringMatching(/cannot read .*ENOENT/) })
  })
})

describe('the packaged Electron entry', () => {
  beforeAll(async () => {
    electron.module.app.isPackaged = true
    process.env.ELECTRON_RENDERER_URL = 'http://127.0.0.1:5173'
    // A packaged app's argv has no script path.
    process.argv = [process.argv[0]!, '--port', '0']
    vi.resetModules()
    await import('./index')
    await vi.waitFor(() => expect(electron.windows).toHaveLength(2), { timeout: 10_000 })
  })

  it('ignores the development renderer URL, and has no DevTools', () => {
    const win = electron.windows[1]!
    expect(win.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(win.url).not.toContain('5173')
    expect(win.options.webPreferences).toMatchObject({ devTools: false, contextIsolation: true, sandbox: true })
    const roles = electron.menu()!.items.flatMap((i) => i.submenu?.items.map((e) => e.role) ?? [])
    expect(roles).not.toContain('toggleDevTools')
    expect(roles).toContain('resetZoom')
    // Nor does the dev server's origin gain the console's IPC trust.
    expect(() => electron.handlers.get(IPC.serverUrl)!({ senderFrame: { url: 'http://127.0.0.1:5173/' } })).toThrow('IPC refused')
  })
})

describe('packaging', () => {
  it('flips the Electron fuses: no run-as-node, no NODE_OPTIONS or --inspect, app only from an integrity-checked asar, encrypted cookies', () => {
    const config = parse(readFileSync(join(__dirname, '..', '..', 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean>; asar?: boolean }
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false
    })
    // onlyLoadAppFromAsar needs the app packed in an asar, electron-builder's default.
    expect(config.asar).not.toBe(false)
  })
})
