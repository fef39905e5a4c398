import { describe, expect, it } from 'vitest'
import { LAYOUT_FORMAT, layoutFile, parseLayout, type Workspace } from './workspace'

const workspace: Workspace = {
  panels: [
    { id: 'panel-1', kind: 'plot', title: 'Position', signals: ['vehicle.position.x'] },
    { id: 'panel-2', kind: 'values', title: 'Values', signals: [], options: { precision: 3, columns: ['name', 'value'] } }
  ],
  dock: { global: {}, layout: { type: 'row', children: [] } },
  activePanel: 'panel-2',
  windowS: 60,
  expanded: ['vehicle'],
  eventsOpen: false
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
  })

  it('fills what an older file leaves out with defaults', () => {
    const parsed = parseLayout(JSON.stringify({ format: LAYOUT_FORMAT, version: 1, panels: [] }))
    expect(parsed).toEqual({ ok: true, workspace: { panels: [], dock: null, activePanel: null, windowS: 10, expanded: [], eventsOpen: true } })
  })
})
