import { describe, expect, it } from 'vitest'
import { readPlotOptions } from '../panels/plot/options'
import { readXyOptions } from '../panels/xy/options'
import { LAYOUT_FORMAT, layoutFile, parseLayout, type Workspace } from './workspace'

const workspace: Workspace = {
  panels: [
    { id: 'panel-1', kind: 'plot', title: 'Position', signals: ['vehicle.position.x'] },
    { id: 'panel-2', kind: 'values', title: 'Values', signals: [], options: { precision: 3, columns: ['name', 'value'] } },
    { id: 'panel-3', kind: 'table', title: 'Table', signals: ['vehicle.position.x', 'speed'], options: { precision: 2, columns: ['name', 'value', 'rate'], sort: { column: 'value', descending: true }, filter: 'pos' } },
    { id: 'panel-4', kind: 'alarms', title: 'Alarms', signals: [] }
  ],
  dock: { global: {}, layout: { type: 'row', children: [] } },
  activePanel: 'panel-2',
  windowS: 60,
  expanded: ['vehicle'],
  eventsOpen: false,
  derived: [{ name: 'speed', expression: 'hypot(vehicle.velocity.x, vehicle.velocity.y)', unit: 'm/s' }],
  limits: { 'vehicle.position.x': { warn: [-3, 3], alarm: [null, 5] }, speed: { alarm: [0, 2] } }
}

describe('layout files', () => {
  it('round-trips a workspace through its file form', () => {
    const parsed = parseLayout(JSON.stringify(layoutFile(workspace)))
    expect(parsed).toEqual({ ok: true, workspace })
  })

  it('refuses what is not a layout, saying what is wrong and where', () => {
    const bad = (value: unknown) => {
      const r = parseLayout(typeof value === 'string' ? value : JSON.stringify(value))
      if (r.ok) throw new Error('accepted')
      return r.errors.join('; ')
    }
    expect(bad('{')).toMatch(/^not JSON/)
    expect(bad({ ...layoutFile(workspace), format: 'other' })).toContain(`format: expected format "${LAYOUT_FORMAT}"`)
    expect(bad({ ...layoutFile(workspace), version: 2 })).toContain('version: expected version 1')
    expect(bad({ ...layoutFile(workspace), panels: [{ id: 'a', kind: 'pie', title: 'x', signals: [] }] })).toContain('panels[0].kind')
    expect(bad({ ...layoutFile(workspace), windowS: 0 })).toContain('windowS')
    expect(bad({ ...layoutFile(workspace), extra: 1 })).toMatch(/extra/)
    expect(bad({ ...layoutFile(workspace), panels: [workspace.panels[0], workspace.panels[0]] })).toContain('used twice')
    expect(bad('x'.repeat(2 * 1024 * 1024))).toContain('larger than')
    expect(bad({ ...layoutFile(workspace), derived: [{ name: '2x', expression: '1', unit: '' }] })).toContain('derived[0].name')
    expect(bad({ ...layoutFile(workspace), limits: { a: { warn: [3, 1] } } })).toContain('limits.a.warn: expected [lo, hi] with lo <= hi')
    expect(bad({ ...layoutFile(workspace), limits: { a: { warn: [1] } } })).toContain('limits.a.warn')
  })

  it('fills what an older file leaves out with defaults', () => {
    const parsed = parseLayout(JSON.stringify({ format: LAYOUT_FORMAT, version: 1, panels: [] }))
    expect(parsed).toEqual({ ok: true, workspace: { panels: [], dock: null, activePanel: null, windowS: 10, expanded: [], eventsOpen: true, derived: [], limits: {} } })
  })
})

describe('the new views in a workspace', () => {
  it('carries table and alarms panels, derived signals and console limits from a store to a file and back', async () => {
    const { createConsoleStore, workspaceOf } = await import('../store/store')
    const a = createConsoleStore()
    a.getState().applyWorkspace(workspace)
    a.getState().setLimits('target.out', { warn: [null, 1] })
    a.getState().setLimits('speed', null)
    const saved = workspaceOf(a.getState())
    expect(saved.limits).toEqual({ 'vehicle.position.x': { warn: [-3, 3], alarm: [null, 5] }, 'target.out': { warn: [null, 1] } })
    const parsed = parseLayout(JSON.stringify(layoutFile(saved)))
    if (!parsed.ok) throw new Error(parsed.errors.join('; '))
    const b = createConsoleStore()
    b.getState().applyWorkspace(parsed.workspace)
    expect(workspaceOf(b.getState())).toEqual(saved)
    expect(b.getState().panels.map((p) => p.kind)).toEqual(['plot', 'values', 'table', 'alarms'])
    expect(b.getState().derived).toEqual(workspace.derived)
  })

  it('keeps derived signals on panels when a schema arrives, and sends Enter on a signal to an active table', async () => {
    const { createConsoleStore } = await import('../store/store')
    const s = createConsoleStore()
    s.getState().applyWorkspace(workspace)
    s.getState().setSchema({ type: 'schema', modules: { vehicle: { signals: [{ name: 'position.x', type: 'f64' }] } } }, false)
    expect(s.getState().panels.find((p) => p.id === 'panel-3')?.signals).toEqual(['vehicle.position.x', 'speed'])
    s.getState().setActivePanel('panel-3')
    s.getState().addSignal('vehicle.position.y')
    expect(s.getState().panels.find((p) => p.id === 'panel-3')?.signals).toEqual(['vehicle.position.x', 'speed', 'vehicle.position.y'])
    s.getState().setActivePanel('panel-4')
    s.getState().addSignal('vehicle.position.y')
    expect(s.getState().panels.find((p) => p.id === 'panel-1')?.signals).toEqual(['vehicle.position.x', 'vehicle.position.y'])
  })
})

describe('layout files with the XY and Topology panels', () => {
  const views: Workspace = {
    ...workspace,
    panels: [
      { id: 'xy', kind: 'xy', title: 'Trajectory', signals: ['vehicle.position.x', 'vehicle.position.y', 'target.out', 'target_y.out'], options: { traces: [{ x: 'vehicle.position.x', y: 'vehicle.position.y' }, { x: 'target.out', y: 'target_y.out' }], window: 60, equalAspect: true } },
      { id: 'xy2', kind: 'xy', title: 'XY 2', signals: [], options: { traces: [], window: 'shared', equalAspect: false } },
      { id: 'topo', kind: 'topology', title: 'Topology', signals: [] },
      { id: 'plot', kind: 'plot', title: 'Two units', signals: ['vehicle.position.x', 'disturbance.force.x'], options: { hidden: ['disturbance.force.x'] } }
    ],
    activePanel: 'topo'
  }

  it('round-trips each new panel kind with its options, and the XY options read back as saved', () => {
    const parsed = parseLayout(JSON.stringify(layoutFile(views)))
    expect(parsed).toEqual({ ok: true, workspace: views })
    if (!parsed.ok) return
    for (const p of parsed.workspace.panels.filter((q) => q.kind === 'xy')) {
      expect(readXyOptions(p.options)).toEqual({ options: p.options, errors: [] })
    }
    expect(readPlotOptions(parsed.workspace.panels.find((p) => p.id === 'plot')!.options).options.hidden).toEqual(['disturbance.force.x'])
    // And again: a file written from what was read reads back the same.
    expect(parseLayout(JSON.stringify(layoutFile(parsed.workspace)))).toEqual(parsed)
  })

  it('takes an XY panel whose options are wrong, and the panel names what it could not use', () => {
    const bad = { ...views, panels: [{ id: 'xy', kind: 'xy', title: 'XY', signals: [], options: { traces: [{ x: 'a' }], window: -1 } }] }
    const parsed = parseLayout(JSON.stringify(layoutFile(bad as Workspace)))
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    const read = readXyOptions(parsed.workspace.panels[0]!.options)
    expect(read.errors.map((e) => e.split(':')[0])).toEqual(['options.traces[0].y', 'options.window'])
    expect(read.options).toEqual({ traces: [], window: 'shared', equalAspect: false })
  })
})
