// Where the Electron binary is, without triggering its lazy download: null when it is not installed.
// It mirrors node_modules/electron/index.js, which would try to fetch the binary when asked for its path.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export function electronBinary(): string | null {
  try {
    const dir = dirname(require.resolve('electron/package.json'))
    const pathFile = join(dir, 'path.txt')
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
    const binary = override ? join(override, relative ?? 'electron') : relative ? join(dir, 'dist', relative) : null
    return binary && existsSync(binary) ? binary : null
  } catch {
    return null
  }
}

/** Why the Electron window cannot open on this machine, or null when it can. */
export function whyNoElectron(): string | null {
  if (!electronBinary()) return 'the Electron binary is not installed (it is downloaded on first use, which needs the internet)'
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)'
  return null
}
