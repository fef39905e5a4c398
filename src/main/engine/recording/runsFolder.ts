// Where a recording goes (a named file, or one new file per run in a runs folder) and the folder's
// retention: the oldest recordings go first once the total passes the limit; the one being written never.
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { RECORDING_EXTENSION } from './extension'
import { isoTime } from './isoTime'

/** A recording in a runs folder younger than this is taken to be another engine's, still being written. */
export const IN_USE_MS = 60_000

/** `path` ending in .mcap is the file; anything else is a folder (created) that gets a new file. */
export function recordingTarget(path: string, configFile: string | null, runId: string, nowMs = Date.now()): { file: string; folder: string | null } {
  if (extname(path).toLowerCase() === RECORDING_EXTENSION) return { file: resolve(path), folder: null }
  const folder = resolve(path)
  mkdirSync(folder, { recursive: true })
  const stamp = isoTime(nowMs).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-')
  const config = configFile ? basename(configFile, extname(configFile)).replace(/[^A-Za-z0-9_.-]/g, '_') : 'run'
  return { file: join(folder, `${stamp}-${config}-${runId.slice(0, 8)}${RECORDING_EXTENSION}`), folder }
}

export interface Retained {
  deleted: string[]
  totalBytes: number
}

/**
 * Deletes the oldest recordings (by modification time) in `folder` until the total is at most
 * `maxBytes`. Never `keep` (the one being written), nor a file modified within IN_USE_MS (another
 * engine's run in progress), nor anything that is not a recording.
 */
export function enforceRetention(folder: string, maxBytes: number, keep: string, nowMs = Date.now()): Retained {
  const files = readdirSync(folder)
    .filter((name) => extname(name).toLowerCase() === RECORDING_EXTENSION)
    .flatMap((name) => {
      const file = join(folder, name)
      try {
        const st = statSync(file)
        return st.isFile() ? [{ file, bytes: st.size, mtimeMs: st.mtimeMs }] : []
      } catch {
        return []
      }
    })
    // Code-unit order, not localeCompare: a collator maps ICU data into the engine for a file name.
    .sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  let total = files.reduce((sum, f) => sum + f.bytes, 0)
  const deleted: string[] = []
  for (const f of files) {
    if (total <= maxBytes) break
    if (resolve(f.file) === resolve(keep) || nowMs - f.mtimeMs < IN_USE_MS) continue
    try {
      unlinkSync(f.file)
      deleted.push(f.file)
      total -= f.bytes
    } catch {
      // Gone already, or not ours to delete: the next pass tries again.
    }
  }
  return { deleted, totalBytes: total }
}
