// Without a system Chromium, Playwright's own is installed on first use (this needs the internet).
import { execFileSync } from 'node:child_process'

export default function installBrowser(): void {
  console.log('e2e: no system Chromium found; installing Playwright\'s Chromium')
  execFileSync(process.execPath, [require.resolve('playwright/cli'), 'install', 'chromium'], { stdio: 'inherit' })
}
