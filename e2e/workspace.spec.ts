// The console as a workspace, in Chromium against the real engine: docked panels that always fit the
// window, layouts as files, one layout per window, and the keyboard paths an operator relies on.
import { expect, test, type Page } from '@playwright/test'
import { writeFileSync } from 'node:fs'
import { Engine } from './engine'
import { openConsole, plotSignal } from './console'

let engine: Engine

test.beforeAll(async () => {
  engine = await Engine.start('e2e/fixtures/console.yaml')
})

test.afterAll(async () => {
  await engine.stop()
})

test.afterEach(async ({ page }, testInfo) => {
  const path = testInfo.outputPath('workspace.png')
  await page.screenshot({ path })
  await testInfo.attach('workspace', { path, contentType: 'image/png' })
})

const open = (page: Page): Promise<void> => openConsole(page, engine.url)

/** Every panel's box, and whether it lies wholly inside the viewport. */
async function panelsOutside(page: Page): Promise<string[]> {
  const size = page.viewportSize()!
  const boxes = await page.locator('section.panel').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect()
      return { name: e.getAttribute('aria-label') ?? '?', x: r.x, y: r.y, right: r.right, bottom: r.bottom, w: r.width, h: r.height }
    })
  )
  // A panel in a background tab of a stack is not shown (zero size): it is not outside either.
  return boxes.filter((b) => b.w > 0 && (b.x < 0 || b.y < 0 || b.right > size.width + 0.5 || b.bottom > size.height + 0.5)).map((b) => `${b.name} ${JSON.stringify(b)}`)
}

async function visiblePanels(page: Page): Promise<number> {
  return page.locator('section.panel').evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().width > 0).length)
}

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 1600, height: 1000 }
]) {
  test(`at ${viewport.width}x${viewport.height}, 3, 5 and 8 panels all fit, and still fit at 1024x640`, async ({ page }) => {
    await page.setViewportSize(viewport)
    await open(page)
    const topbar = page.locator('.topbar')
    // The top bar is one line from 1280 px on.
    expect(await topbar.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true)
    // ... with nothing painted under its neighbour, and the server's address whole (it is the way to
    // the connect dialog).
    const overlaps = await topbar.evaluate((bar) => {
      const boxes = Array.from(bar.children).map((c) => c.getBoundingClientRect()).filter((b) => b.width > 0)
      const overflowing = Array.from(bar.children).filter((c) => c.scrollWidth > c.clientWidth + 0.5).length
      return overflowing + boxes.slice(1).filter((b, i) => b.left < boxes[i]!.right - 0.5).length
    })
    expect(overlaps).toBe(0)
    const address = page.locator('.link-url')
    await expect(address).toHaveText(/^127\.0\.0\.1:\d+$/)
    expect(await address.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true)
    for (const target of [3, 5, 8]) {
      // One panel per click, each awaited: a click whose panel had not rendered yet was counted twice.
      for (let n = await page.locator('section.panel').count(); n < target; n++) {
        await page.getByRole('button', { name: 'Add plot' }).click()
        await expect(page.locator('section.panel')).toHaveCount(n + 1)
      }
      await expect(page.locator('section.panel')).toHaveCount(target)
      expect(await visiblePanels(page)).toBe(target)
      expect(await panelsOutside(page)).toEqual([])
    }
    await page.setViewportSize({ width: 1024, height: 640 })
    await expect.poll(() => panelsOutside(page)).toEqual([])
    expect(await visiblePanels(page)).toBe(8)
  })
}

test('a panel is split by dragging its tab, resized by its splitter, renamed by double-click, maximised and closed', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await open(page)
  await page.getByRole('button', { name: 'Add plot' }).click()
  await expect(page.locator('section.panel')).toHaveCount(2)
  const box = async (name: string) => (await page.getByRole('region', { name }).boundingBox())!
  // Side by side at first; drag Plot 2's tab onto the bottom edge of Plot 1 to stack them vertically.
  const tab2 = page.locator('.flexlayout__tab_button', { hasText: 'Plot 2' })
  const p1 = await box('Plot 1')
  const t2 = (await tab2.boundingBox())!
  await page.mouse.move(t2.x + t2.width / 2, t2.y + t2.height / 2)
  await page.mouse.down()
  for (let k = 1; k <= 10; k++) await page.mouse.move(t2.x + ((p1.x + p1.width / 2 - t2.x) * k) / 10, t2.y + ((p1.y + p1.height - 15 - t2.y) * k) / 10)
  await page.mouse.up()
  await expect.poll(async () => (await box('Plot 2')).y > (await box('Plot 1')).y + 50).toBe(true)
  expect(await panelsOutside(page)).toEqual([])
  // The splitter between them moves the boundary.
  const before = (await box('Plot 1')).height
  // The splitter is the bar between the two panels.
  const upper = await box('Plot 1')
  const lower = await box('Plot 2')
  const bars = await page.locator('.flexlayout__splitter').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number }))
  const s = bars.find((b) => b.y >= upper.y + upper.height - 2 && b.y + b.height <= lower.y + 30 && b.width > b.height)!
  expect(s).toBeDefined()
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2)
  await page.mouse.down()
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2 - 80, { steps: 8 })
  await page.mouse.up()
  await expect.poll(async () => (await box('Plot 1')).height).toBeLessThan(before - 40)
  // Rename by double-clicking the title.
  await page.locator('.flexlayout__tab_button', { hasText: 'Plot 1' }).dblclick()
  const editor = page.locator('.flexlayout__tab_button_textbox')
  await editor.fill('Position')
  await editor.press('Enter')
  await expect(page.getByRole('region', { name: 'Position' })).toBeVisible()
  // Maximise one panel and back.
  const full = await page.locator('.flexlayout__layout').boundingBox()
  await page.locator('.flexlayout__tabset_tabbar_outer', { has: page.locator('.flexlayout__tab_button', { hasText: 'Position' }) }).getByRole('button', { name: 'Maximize tabset' }).click()
  await expect.poll(async () => (await box('Position')).height).toBeGreaterThan(full!.height - 60)
  await page.getByRole('button', { name: /^Restore tabset/ }).click()
  await expect.poll(async () => (await box('Position')).height).toBeLessThan(full!.height - 100)
  // Close it from its tab.
  await page.locator('.flexlayout__tab_button', { hasText: 'Position' }).locator('.flexlayout__tab_button_trailing').click()
  await expect(page.locator('section.panel')).toHaveCount(1)
})

test('a layout exports to a file, a valid file imports, an invalid one is refused and changes nothing', async ({ page }, testInfo) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  await page.getByLabel('Add panel').selectOption('values')
  await page.getByRole('button', { name: 'Layout…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Layout and settings' })
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export layout…' }).click()])
  const exported = testInfo.outputPath('exported.layout.json')
  await download.saveAs(exported)
  const file = JSON.parse((await import('node:fs')).readFileSync(exported, 'utf8')) as { format: string; version: number; panels: { kind: string; signals: string[] }[] }
  expect(file.format).toBe('hermes-console.layout')
  expect(file.version).toBe(1)
  expect(file.panels.map((p) => [p.kind, p.signals])).toEqual([
    ['plot', ['wave.out']],
    ['values', []]
  ])
  // An invalid file: the reason is shown and both panels stay.
  const bad = testInfo.outputPath('bad.layout.json')
  writeFileSync(bad, JSON.stringify({ ...file, version: 9 }))
  await dialog.getByLabel('Layout file to import').setInputFiles(bad)
  await expect(dialog.getByRole('alert')).toContainText('version: expected version 1')
  await expect(page.locator('section.panel')).toHaveCount(2)
  // A valid one replaces the layout.
  const good = testInfo.outputPath('good.layout.json')
  writeFileSync(good, JSON.stringify({ ...file, panels: [{ id: 'p1', kind: 'plot', title: 'Imported', signals: ['knob.level'] }], dock: null, activePanel: 'p1' }))
  await dialog.getByLabel('Layout file to import').setInputFiles(good)
  await expect(dialog.getByRole('status')).toContainText('Imported good.layout.json')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(page.locator('section.panel')).toHaveCount(1)
  await expect(page.getByRole('region', { name: 'Imported' }).locator('.legend tr[data-signal="knob.level"]')).toHaveCount(1)
})

test('two windows on the same server keep their own layouts across reloads', async ({ context }) => {
  const a = await context.newPage()
  const b = await context.newPage()
  await open(a)
  await open(b)
  await plotSignal(a, 'wave.out')
  await b.getByLabel('Add panel').selectOption('values')
  await plotSignal(b, 'knob.level')
  await a.reload()
  await b.reload()
  for (const p of [a, b]) await expect(p.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await expect(a.locator('section.panel')).toHaveCount(1)
  await expect(a.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(1)
  await expect(b.locator('section.panel')).toHaveCount(2)
  await expect(b.locator('.legend tr[data-signal="knob.level"]')).toHaveCount(1)
  await expect(b.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(0)
  // No storage writes while only the run streams (once the reload's own restore has settled).
  await expect.poll(() => a.evaluate(() => window.hermesConsole!.storageWritePending())).toBe(false)
  const writes = await a.evaluate(() => window.hermesConsole!.storageWrites())
  await expect.poll(() => a.evaluate(() => window.hermesConsole!.telemetry.history.length), { timeout: 20_000 }).toBeGreaterThan(60)
  expect(await a.evaluate(() => window.hermesConsole!.storageWrites())).toBe(writes)
  expect(await a.evaluate(() => window.hermesConsole!.storageWritePending())).toBe(false)
})

test('the keyboard: tree arrows and Enter plot, shortcuts stay out of focused controls, dialogs trap focus and close on Escape', async ({ page }) => {
  await open(page)
  // Tree: focus the first row, walk down with the arrows, type-ahead, Enter plots the focused signal.
  await page.getByRole('treeitem').first().focus()
  await page.keyboard.press('Home')
  await expect(page.getByRole('treeitem').first()).toBeFocused()
  await page.keyboard.press('w')
  await expect(page.getByRole('treeitem', { name: 'wave', exact: true })).toBeFocused()
  // Left closes the module, Right opens it, Right again moves to its first signal.
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByRole('treeitem', { name: 'wave', exact: true })).toHaveAttribute('aria-expanded', 'false')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByRole('treeitem', { name: 'wave', exact: true })).toHaveAttribute('aria-expanded', 'true')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByRole('treeitem', { name: 'wave.out' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(1)
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByRole('treeitem', { name: 'wave', exact: true })).toBeFocused()
  // Space on a focused button presses that button, and does not pause the run.
  await page.getByRole('button', { name: 'Add plot' }).focus()
  await page.keyboard.press('Space')
  await expect(page.locator('section.panel')).toHaveCount(2)
  await expect(page.getByTestId('run-state')).toHaveText('running')
  // With nothing focused, Space pauses, and Shift+R asks before it resets.
  await page.locator('body').click({ position: { x: 5, y: 700 } })
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.keyboard.press('Space')
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  await page.keyboard.press('Shift+R')
  const confirm = page.getByRole('alertdialog', { name: 'Reset the run' })
  await expect(confirm).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(confirm).toHaveCount(0)
  expect(Number(await page.getByTestId('run-frame').textContent())).toBeGreaterThan(0)
  // ? lists the shortcuts; Tab stays inside the dialog; Escape closes it.
  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(help).toBeVisible()
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab')
  expect(await help.evaluate((d) => d.contains(document.activeElement))).toBe(true)
  await page.keyboard.press('Escape')
  await expect(help).toHaveCount(0)
  // The connect dialog closes on Escape too.
  await page.locator('.link-url').click()
  const connect = page.getByRole('dialog', { name: 'Connect to a server' })
  await expect(connect).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(connect).toHaveCount(0)
  await page.getByRole('button', { name: 'Resume', exact: true }).click()
})

test('a focused plot moves its cursor, zooms and returns to live from the keyboard, and reads the values out', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  await expect.poll(() => page.evaluate(() => window.hermesConsole!.telemetry.history.length), { timeout: 20_000 }).toBeGreaterThan(30)
  const canvas = page.locator('.plot-canvas').first()
  await canvas.focus()
  await page.keyboard.press('ArrowLeft')
  const readout = page.locator('[data-testid^=plot-readout-]').first()
  await expect(readout).toContainText(/^t \d+\.\d{3} s: wave\.out -?\d/)
  await expect(page.locator('.legend th').nth(1)).toContainText('at ')
  await page.keyboard.press('+')
  await expect(page.getByRole('button', { name: 'Go live' })).toBeEnabled()
  await page.keyboard.press('l')
  await expect(page.getByRole('button', { name: 'Live', exact: true })).toBeDisabled()
})

test('a value box takes what a person means by a number and refuses the rest with the reason', async ({ page }) => {
  await open(page)
  const input = page.getByRole('textbox', { name: 'New value for knob.level' }).first()
  const result = page.getByRole('status', { name: 'Result for knob.level' }).first()
  for (const [text, expected] of [
    ['0x10', 'not a decimal number'],
    ['1e400', 'out of range'],
    ['   ', 'enter a number']
  ] as const) {
    await input.fill(text)
    await input.press('Enter')
    await expect(result).toContainText(expected)
  }
  await input.fill('-2.5e1')
  await input.press('Enter')
  await expect(result).toHaveText('ack -25')
})

test("the desktop app's File > Export Layout… and Import Layout… go through the console's own export and validation", async ({ page }) => {
  // The preload's bridge, played by the page: the main process's half (dialogs, reading and writing the
  // file) is tested in src/main/app/layoutFiles.test.ts; Electron itself cannot start on this machine.
  await page.addInitScript((url) => {
    type Request = { action: string; name?: string; text?: string; error?: string }
    const w = window as unknown as { fakeDesktop: { saved: Array<{ name: string; text: string }>; menu: (r: Request) => void } }
    let menu: (r: Request) => void = () => undefined
    w.fakeDesktop = { saved: [], menu: (r) => menu(r) }
    Object.assign(window, {
      hermesDesktop: {
        serverUrl: async () => url,
        openConfig: async () => null,
        openDropped: async () => ({ ok: false, file: '', errors: ['not here'], warnings: [] }),
        reload: async () => ({ ok: false, file: '', errors: ['not here'], warnings: [] }),
        onOpenResult: () => () => undefined,
        onLayoutMenu: (listener: (r: Request) => void) => {
          menu = listener
          return () => undefined
        },
        saveLayout: async (name: string, text: string) => {
          w.fakeDesktop.saved.push({ name, text })
          return { ok: true, file: `/home/op/${name}` }
        }
      }
    })
  }, engine.url.replace(/^http/, 'ws'))
  await open(page)
  await plotSignal(page, 'wave.out')
  type Fake = { fakeDesktop: { saved: Array<{ name: string; text: string }>; menu: (r: object) => void } }
  const menu = (request: object) => page.evaluate((r) => (window as unknown as Fake).fakeDesktop.menu(r), request)
  const log = page.getByRole('log')
  await menu({ action: 'export' })
  await expect(log).toContainText('layout exported to /home/op/console.layout.json')
  const saved = await page.evaluate(() => (window as unknown as Fake).fakeDesktop.saved)
  expect(saved).toHaveLength(1)
  const file = JSON.parse(saved[0]!.text) as { format: string; panels: Array<{ signals: string[] }> }
  expect(file.format).toBe('hermes-console.layout')
  expect(file.panels.flatMap((p) => p.signals)).toContain('wave.out')
  // An invalid file changes nothing and says why, in the event log.
  await menu({ action: 'import', name: 'bad.json', text: JSON.stringify({ ...file, panels: [{ id: 'x', kind: 'radar' }] }) })
  await expect(log).toContainText('layout not imported, nothing changed: bad.json is not a valid layout')
  await expect(log).toContainText('bad.json: panels[0].kind')
  await expect(page.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(1)
  await menu({ action: 'import-failed', name: 'big.json', error: '/tmp/big.json is 2000000 bytes; a layout file may be at most 1048576 bytes' })
  await expect(log).toContainText('layout not imported: /tmp/big.json is 2000000 bytes')
  // A valid one replaces the layout.
  const good = { ...file, panels: [{ id: 'p1', kind: 'plot', title: 'From the menu', signals: ['knob.level'] }], dock: null, activePanel: 'p1' }
  await menu({ action: 'import', name: 'good.json', text: JSON.stringify(good) })
  await expect(log).toContainText('layout imported from good.json')
  await expect(page.getByRole('region', { name: 'From the menu' }).locator('.legend tr[data-signal="knob.level"]')).toHaveCount(1)
  await expect(page.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(0)
})
