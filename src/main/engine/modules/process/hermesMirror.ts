// Hermes's own files, read from a local git mirror of its repository at test or bench time (never copied into
// this repository): where the mirror is, and one file's bytes exactly as Hermes ships them.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** A bare mirror of github.com/tanged123/hermes; HERMES_MIRROR names another. */
export const HERMES_MIRROR = process.env.HERMES_MIRROR || '/work/.mirror/tanged123+hermes/repo'
/** The branch read: examples/mock_module.py and basic_sim.yaml are the same on main and phase3. */
export const HERMES_REF = 'main'

/** `git show <ref>:<path>` in the mirror, byte for byte, or null when the mirror or the file is not there. */
export function hermesFile(path: string, ref = HERMES_REF): Buffer | null {
  if (!existsSync(HERMES_MIRROR)) return null
  const r = spawnSync('git', ['-C', HERMES_MIRROR, 'show', `${ref}:${path}`], { maxBuffer: 16 << 20 })
  return r.status === 0 ? r.stdout : null
}

export const HAS_HERMES_MIRROR = hermesFile('examples/mock_module.py') !== null && hermesFile('examples/basic_sim.yaml') !== null
