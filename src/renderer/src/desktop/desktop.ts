// The desktop bridge as the console sees it: present in the Electron window, absent in a browser.
import type { DesktopApi } from '../../../shared/desktop'

declare global {
  interface Window {
    hermesDesktop?: DesktopApi
  }
}

export function desktop(): DesktopApi | null {
  return typeof window !== 'undefined' ? (window.hermesDesktop ?? null) : null
}
