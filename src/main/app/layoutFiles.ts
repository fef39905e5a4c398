// Reading and writing console layout files for the desktop app's File menu. Only the size and the text
// are checked here; the console validates the layout itself, so a bad file is refused in one place.
import { readFile, stat, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { LayoutMenuRequest, SaveResult } from '../../shared/desktop'
import { MAX_LAYOUT_BYTES } from '../../shared/layout'

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Reads a layout file for the console to import: its text, or why it cannot be read. */
export async function readLayoutFile(file: string): Promise<Extract<LayoutMenuRequest, { action: 'import' | 'import-failed' }>> {
  const name = basename(file)
  try {
    const st = await stat(file)
    if (!st.isFile()) return { action: 'import-failed', name, error: `${file} is not a file` }
    if (st.size > MAX_LAYOUT_BYTES) return { action: 'import-failed', name, error: `${file} is ${st.size} bytes; a layout file may be at most ${MAX_LAYOUT_BYTES} bytes` }
    return { action: 'import', name, text: await readFile(file, 'utf8') }
  } catch (error) {
    return { action: 'import-failed', name, error: `cannot read ${file}: ${reason(error)}` }
  }
}

/** Writes what the console sent, refusing anything that is not a layout-sized string. */
export async function writeLayoutFile(file: string, text: unknown): Promise<SaveResult> {
  if (typeof text !== 'string') return { ok: false, error: 'the layout to save is not text' }
  if (Buffer.byteLength(text) > MAX_LAYOUT_BYTES) return { ok: false, error: `the layout is larger than ${MAX_LAYOUT_BYTES} bytes` }
  try {
    await writeFile(file, text)
    return { ok: true, file }
  } catch (error) {
    return { ok: false, error: `cannot write ${file}: ${reason(error)}` }
  }
}
