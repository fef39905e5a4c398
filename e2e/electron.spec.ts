// The desktop app itself, through Playwright's Electron support, wherever the Electron binary exists.
// Without it (this project's CI machine) the suite is skipped, and says so.
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { whyNoElectron, electronBinary } from '../scripts/electronBinary'
import { freePort } from './engine'

const ROOT = join(__dirname, '..')
const why = whyNoElectron()
if (why) console.warn(`SKIPPED: Electron e2e (e2e/electron.spec.ts): ${why}. The browser e2e still runs.`)

test.describe('desktop app', () => {
  test.skip(why !== null, `Electron cannot start here: ${why}`)

  test('launches on the demo, plots move, and File > Open of a fixture rebuilds the tree', async () => {
    const port = await freePort()
    const app = await electron.launch({ executablePath: electronBinary()!, args: [join(ROOT, 'out', 'main', 'index.js'), '--port', String(port)] })
    try {
      const page = await app.firstWindow()
      await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
      await expect(page.getByRole('treeitem', { name: 'vehicle', exact: true })).toBeVisible()
      await page.getByRole('searchbox', { name: 'Search signals' }).fill('vehicle.position.x')
      await page.getByRole('button', { name: 'Plot vehicle.position.x', exact: true }).click()
      const value = page.locator('.legend tr[data-signal="vehicle.position.x"] [data-testid=legend-value]')
      await expect(value).not.toHaveText('—')
      const first = await value.textContent()
      await expect.poll(() => value.textContent()).not.toBe(first)

      const fixture = join(ROOT, 'e2e', 'fixtures', 'console.yaml')
      await app.evaluate(({ dialog, Menu }, file) => {
        dialog.showOpenDialog = () => Promise.resolve({ canceled: false, filePaths: [file] })
        Menu.getApplicationMenu()?.getMenuItemById('open')?.click()
      }, fixture)
      await expect(page.getByRole('treeitem', { name: 'knob.level' })).toBeVisible()
      await expect(page.getByRole('treeitem', { name: 'target', exact: true })).toHaveCount(0)

      // File > Export Layout… then Import Layout… of that same file, through the real dialogs' paths.
      const saved = test.info().outputPath('exported.layout.json')
      await app.evaluate(({ dialog, Menu }, file) => {
        dialog.showSaveDialog = () => Promise.resolve({ canceled: false, filePath: file })
        Menu.getApplicationMenu()?.getMenuItemById('export-layout')?.click()
      }, saved)
      await expect(page.getByRole('log')).toContainText(`layout exported to ${saved}`)
      await app.evaluate(({ dialog, Menu }, file) => {
        dialog.showOpenDialog = () => Promise.resolve({ canceled: false, filePaths: [file] })
        Menu.getApplicationMenu()?.getMenuItemById('import-layout')?.click()
      }, saved)
      await expect(page.getByRole('log')).toContainText('layout imported from exported.layout.json')
      await page.screenshot({ path: test.info().outputPath('electron.png') })
    } finally {
      await app.close()
    }
  })
})
