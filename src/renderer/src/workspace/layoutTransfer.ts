// Layout files in and out of the console: one path for the Layout… dialog and the desktop app's File
// menu, so both name the file alike and refuse a bad one alike (nothing changes).
import { useConsole, workspaceOf } from '../store/store'
import { layoutFile, parseLayout } from './workspace'

export type ImportOutcome = { ok: true; message: string } | { ok: false; problems: string[] }

/** The file name an export suggests: the configuration's, e.g. demo.layout.json. */
export function layoutFileName(config: string | null | undefined): string {
  const base = config?.split(/[\\/]/).pop()?.replace(/\.ya?ml$/i, '') ?? 'console'
  return `${base}.layout.json`
}

/** The current workspace as a layout file's text, and the name to save it under. */
export function exportLayout(): { name: string; text: string } {
  const s = useConsole.getState()
  return { name: layoutFileName(s.schema?.config), text: `${JSON.stringify(layoutFile(workspaceOf(s)), null, 2)}\n` }
}

/** Applies a layout file's text if it is valid; otherwise changes nothing and says what is wrong, and where. */
export function importLayout(name: string, text: string): ImportOutcome {
  const parsed = parseLayout(text)
  if (!parsed.ok) return { ok: false, problems: parsed.errors.map((e) => `${name}: ${e}`) }
  useConsole.getState().applyWorkspace(parsed.workspace)
  return { ok: true, message: `Imported ${name}.` }
}
