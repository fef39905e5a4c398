// A workspace: what a console window shows (panels, their arrangement, the time window, the tree) as one
// versioned value, the same in storage and in a layout file. Files are validated before anything changes.
import type { IJsonModel } from 'flexlayout-react'
import { z } from 'zod'
import { LAYOUT_FORMAT, MAX_LAYOUT_BYTES } from '../../../shared/layout'
import type { SignalLimits } from '../../../shared/protocol/messages'
import { derivedSchema, MAX_DERIVED, type DerivedSignal } from '../derived/derived'
import { limitsSchema } from '../limits/limits'
import { MAX_WINDOW_S, PANEL_KINDS, type PanelConfig } from '../store/store'

export { LAYOUT_FORMAT }
export const LAYOUT_VERSION = 1

export interface Workspace {
  panels: PanelConfig[]
  /** The docking arrangement (flexlayout's model JSON); null lets the console arrange the panels itself. */
  dock: IJsonModel | null
  activePanel: string | null
  windowS: number
  expanded: string[]
  eventsOpen: boolean
  /** Signals computed in the console from expressions (derived/). */
  derived: DerivedSignal[]
  /** Limits set in the console, by signal, over the configuration's. */
  limits: Record<string, SignalLimits>
}

export interface LayoutFile extends Workspace {
  format: typeof LAYOUT_FORMAT
  version: typeof LAYOUT_VERSION
}

const panelSchema = z.strictObject({
  id: z.string().min(1).max(200),
  kind: z.enum(PANEL_KINDS),
  title: z.string().max(200),
  signals: z.array(z.string().max(1000)).max(10_000),
  // Each panel kind checks its own options when it reads them; here only their outline and size.
  options: z.record(z.string().max(200), z.json()).optional()
})

// The dock is flexlayout's own JSON: checked for its outline here, and by flexlayout when it is built.
const dockSchema = z.looseObject({ layout: z.looseObject({ type: z.literal('row') }) })

const layoutSchema = z.strictObject({
  format: z.literal(LAYOUT_FORMAT, { error: `expected format "${LAYOUT_FORMAT}"` }),
  version: z.literal(LAYOUT_VERSION, { error: `expected version ${LAYOUT_VERSION} (this console reads version ${LAYOUT_VERSION})` }),
  panels: z.array(panelSchema).max(100),
  dock: dockSchema.nullable().default(null),
  activePanel: z.string().nullable().default(null),
  windowS: z.number().min(1).max(MAX_WINDOW_S).default(10),
  expanded: z.array(z.string()).max(100_000).default([]),
  eventsOpen: z.boolean().default(true),
  derived: z.array(derivedSchema).max(MAX_DERIVED).default([]),
  limits: z.record(z.string().max(1000), limitsSchema).default({})
})

export type ParseResult = { ok: true; workspace: Workspace } | { ok: false; errors: string[] }

/** Reads a layout file's text: a workspace, or every problem with where it is (`panels[2].kind: ...`). */
export function parseLayout(text: string): ParseResult {
  if (text.length > MAX_LAYOUT_BYTES) return { ok: false, errors: [`the file is larger than ${MAX_LAYOUT_BYTES} bytes`] }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return { ok: false, errors: [`not JSON: ${error instanceof Error ? error.message : String(error)}`] }
  }
  const parsed = layoutSchema.safeParse(data)
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.slice(0, 20).map((i) => `${i.path.length > 0 ? `${formatPath(i.path)}: ` : ''}${i.message}`) }
  }
  const { format: _format, version: _version, ...workspace } = parsed.data
  const ids = new Set<string>()
  for (const p of workspace.panels) {
    if (ids.has(p.id)) return { ok: false, errors: [`panels: the id "${p.id}" is used twice`] }
    ids.add(p.id)
  }
  return { ok: true, workspace: { ...workspace, dock: workspace.dock as IJsonModel | null } }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('')
}

export function layoutFile(workspace: Workspace): LayoutFile {
  return { format: LAYOUT_FORMAT, version: LAYOUT_VERSION, ...workspace }
}
