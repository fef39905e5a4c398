// Where the module helpers shipped in resources/modules are (hermes_module.py, hermes_module.h), from source or a build.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

let found: string | null | undefined

/** resources/modules at the project root, found by walking up from this file (src/main/engine/... or out/main). */
export function moduleHelpersDir(): string | null {
  if (found !== undefined) return found
  found = null
  for (let dir = __dirname, i = 0; i < 8; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'resources', 'modules')
    if (existsSync(join(candidate, 'hermes_module.py'))) {
      found = candidate
      break
    }
  }
  return found
}
