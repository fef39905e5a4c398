import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SchemaMessage } from '../../../shared/protocol/messages'
import { createConsoleStore } from '../store/store'
import { persistenceStats, WINDOW_KEY, WorkspacePersistence, WRITE_DEBOUNCE_MS, type Storages } from './persistence'

class MemoryStorage {
  readonly items = new Map<string, string>()
  writes = 0
  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.writes++
    this.items.set(key, value)
  }
}

const schema = (config: string): SchemaMessage => ({ type: 'schema', modules: { v: { signals: [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }] } }, config, run_id: 'r' })
const plain = (): SchemaMessage => ({ type: 'schema', modules: { v: { signals: [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }] } } })

/** A console window: its own store and sessionStorage, the browser's one localStorage. */
function openWindow(local: MemoryStorage, session = new MemoryStorage()) {
  const store = createConsoleStore()
  const storages: Storages = { session, local }
  const persistence = new WorkspacePersistence(store, storages)
  return { store, session, persistence }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('workspace persistence', () => {
  it('writes when the layout changes, once per burst, and never for run, telemetry or cursor updates', () => {
    const local = new MemoryStorage()
    const w = openWindow(local)
    w.store.getState().setSchema(schema('/a.yaml'), true)
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    const before = persistenceStats.writes
    for (let i = 0; i < 500; i++) {
      w.store.getState().setRun({ frame: i, time: i / 100 })
      w.store.getState().setCursor(i)
      w.store.getState().setQuality({ lastFrameAt: i })
    }
    vi.advanceTimersByTime(10 * WRITE_DEBOUNCE_MS)
    expect(persistenceStats.writes - before).toBe(0)
    w.store.getState().addPanel('plot')
    w.store.getState().addSignal('v.x')
    w.store.getState().setWindow(60)
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    expect(persistenceStats.writes - before).toBe(1)
  })

  it('gives two windows their own layouts across reloads, however they interleave', () => {
    const local = new MemoryStorage()
    const a = openWindow(local)
    const b = openWindow(local)
    for (const w of [a, b]) w.store.getState().setSchema(schema('/a.yaml'), true)
    a.store.getState().addSignal('v.x')
    b.store.getState().addPanel('values')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    // Reload each: a new store on the same sessionStorage.
    const a2 = openWindow(local, a.session)
    const b2 = openWindow(local, b.session)
    expect(a2.store.getState().panels.map((p) => [p.kind, p.signals])).toEqual([['plot', ['v.x']]])
    expect(b2.store.getState().panels.map((p) => p.kind)).toEqual(['plot', 'values'])
    expect(a.session.getItem(WINDOW_KEY)).not.toBe(b.session.getItem(WINDOW_KEY))
  })

  it('keeps a layout per configuration: opening another brings back the one last used with it', () => {
    const local = new MemoryStorage()
    const w = openWindow(local)
    w.store.getState().setSchema(schema('/a.yaml'), true)
    w.store.getState().addSignal('v.x')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    w.store.getState().setSchema(schema('/b.yaml'), true)
    w.store.getState().removeSignal('panel-1', 'v.x')
    w.store.getState().addSignal('v.y')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    w.store.getState().setSchema(schema('/a.yaml'), true)
    expect(w.store.getState().panels[0]!.signals).toEqual(['v.x'])
    w.store.getState().setSchema(schema('/b.yaml'), true)
    expect(w.store.getState().panels[0]!.signals).toEqual(['v.y'])
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    // A new window starts from the configuration opened last.
    const fresh = openWindow(local)
    expect(fresh.store.getState().panels[0]!.signals).toEqual(['v.y'])
  })

  it("does not switch workspaces on the plain schema an extended server sends before hello's", () => {
    const local = new MemoryStorage()
    const a = openWindow(local)
    a.store.getState().setSchema(schema('/a.yaml'), true)
    a.store.getState().addSignal('v.x')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    const b = openWindow(local)
    b.store.getState().setSchema(schema('/a.yaml'), true)
    b.store.getState().addPanel('values')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    // Reload a: plain schema first, then the extended one.
    const a2 = openWindow(local, a.session)
    a2.store.getState().setLink({ url: 'ws://127.0.0.1:8765' })
    a2.store.getState().setSchema(plain(), true)
    a2.store.getState().setSchema(schema('/a.yaml'), true)
    expect(a2.store.getState().panels.map((p) => [p.kind, p.signals])).toEqual([['plot', ['v.x']]])
  })

  it('writes nothing after a reload until the layout really differs from what was restored', () => {
    const local = new MemoryStorage()
    const w = openWindow(local)
    w.store.getState().setSchema(schema('/a.yaml'), true)
    w.store.getState().addSignal('v.x')
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    const reloaded = openWindow(local, w.session)
    const before = persistenceStats.writes
    reloaded.store.getState().setSchema(schema('/a.yaml'), true)
    // A change and its undo within one burst, as a dock re-applying its own state does.
    reloaded.store.getState().setWindow(60)
    reloaded.store.getState().setWindow(w.store.getState().view.windowS)
    vi.advanceTimersByTime(10 * WRITE_DEBOUNCE_MS)
    expect(persistenceStats.writes - before).toBe(0)
    expect(persistenceStats.pending).toBe(false)
    reloaded.store.getState().setWindow(60)
    vi.advanceTimersByTime(WRITE_DEBOUNCE_MS)
    expect(persistenceStats.writes - before).toBe(1)
  })

  it('ignores a stored workspace that does not validate, instead of half-applying it', () => {
    const local = new MemoryStorage()
    const session = new MemoryStorage()
    session.setItem(WINDOW_KEY, JSON.stringify({ config: '/a.yaml', layout: { format: 'hermes-console.layout', version: 1, panels: [{ id: 1 }] } }))
    const w = openWindow(local, session)
    expect(w.store.getState().panels.map((p) => p.id)).toEqual(['panel-1'])
  })
})
