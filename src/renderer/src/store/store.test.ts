import { beforeEach, describe, expect, it } from 'vitest'
import type { SchemaMessage } from '../../../shared/protocol/messages'
import { workspaceOf } from './store'

const schema = (modules: Record<string, string[]>): SchemaMessage => ({
  type: 'schema',
  modules: Object.fromEntries(Object.entries(modules).map(([m, names]) => [m, { signals: names.map((name) => ({ name, type: 'f64' })) }]))
})

async function store() {
  const { useConsole, DEFAULT_PANELS } = await import('./store')
  return { useConsole, DEFAULT_PANELS }
}

beforeEach(async () => {
  const { useConsole, DEFAULT_PANELS } = await store()
  useConsole.setState({ panels: DEFAULT_PANELS, activePanel: 'panel-1', signals: [], schema: null })
})

describe('console store', () => {
  it('adds a signal to the active plot once, and creates a plot when there is none', async () => {
    const { useConsole } = await store()
    const s = useConsole.getState()
    s.addSignal('v.x')
    s.addSignal('v.x')
    s.addSignal('v.y')
    expect(useConsole.getState().panels[0]!.signals).toEqual(['v.x', 'v.y'])
    s.removePanel('panel-1')
    expect(useConsole.getState().panels).toEqual([])
    useConsole.getState().addSignal('v.z')
    const panels = useConsole.getState().panels
    expect(panels).toHaveLength(1)
    expect(panels[0]).toMatchObject({ kind: 'plot', signals: ['v.z'] })
    expect(useConsole.getState().activePanel).toBe(panels[0]!.id)
  })

  it('keeps, on a new schema, the plotted signals that still exist', async () => {
    const { useConsole } = await store()
    const s = useConsole.getState()
    s.setSchema(schema({ v: ['x', 'y'] }), false)
    s.addSignal('v.x')
    s.addSignal('v.y')
    useConsole.getState().setSchema(schema({ v: ['y', 'z'] }), true)
    const state = useConsole.getState()
    expect(state.panels[0]!.signals).toEqual(['v.y'])
    expect(state.signals.map((x) => x.name)).toEqual(['v.y', 'v.z'])
    expect(state.extended).toBe(true)
  })

  it('freezes the view on a zoom and returns to live', async () => {
    const { useConsole } = await store()
    const s = useConsole.getState()
    s.freezeView(3, 5)
    expect(useConsole.getState().view).toMatchObject({ live: false, min: 3, max: 5 })
    s.freezeView(5, 5)
    expect(useConsole.getState().view).toMatchObject({ min: 3, max: 5 })
    s.goLive()
    expect(useConsole.getState().view.live).toBe(true)
    s.setWindow(60)
    expect(useConsole.getState().view.windowS).toBe(60)
  })

  it('bounds the event log', async () => {
    const { useConsole } = await store()
    for (let i = 0; i < 1100; i++) useConsole.getState().addLog('info', `m${i}`)
    const log = useConsole.getState().log
    expect(log).toHaveLength(1000)
    expect(log[log.length - 1]!.text).toBe('m1099')
  })

  it('renames a panel, refusing a blank title, and replaces the whole workspace at once', async () => {
    const { useConsole } = await store()
    const s = useConsole.getState()
    s.renamePanel('panel-1', '  Position  ')
    s.renamePanel('panel-1', '   ')
    expect(useConsole.getState().panels[0]!.title).toBe('Position')
    const epoch = useConsole.getState().dockEpoch
    s.applyWorkspace({ panels: [{ id: 'p', kind: 'values', title: 'V', signals: [] }], dock: null, activePanel: null, windowS: 60, expanded: ['v'], eventsOpen: false, derived: [], limits: {} })
    const after = useConsole.getState()
    expect(after.dockEpoch).toBe(epoch + 1)
    expect(after.activePanel).toBe('p')
    expect(after.view).toMatchObject({ windowS: 60, live: true })
    expect(workspaceOf(after)).toEqual({ panels: [{ id: 'p', kind: 'values', title: 'V', signals: [] }], dock: null, activePanel: 'p', windowS: 60, expanded: ['v'], eventsOpen: false, derived: [], limits: {} })
  })
})
