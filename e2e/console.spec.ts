// The console in Chromium against the real headless engine: what an operator does, end to end.
import { expect, test, type Page } from '@playwright/test'
import { WebSocket } from 'ws'
import { HermesClient } from '../src/shared/client/hermesClient'
import { Engine } from './engine'
import '../src/shared/diagnostics'
import { openConsole, plotSignal } from './console'

let engine: Engine

test.beforeEach(async () => {
  engine = await Engine.start('e2e/fixtures/console.yaml')
})

test.afterEach(async ({ page }, testInfo) => {
  // Kept in test-results/e2e/<test>/console.png, to look at what the operator saw.
  const path = testInfo.outputPath('console.png')
  await page.screenshot({ path })
  await testInfo.attach('console', { path, contentType: 'image/png' })
  await engine.stop()
})

const open = (page: Page): Promise<void> => openConsole(page, engine.url)

async function frame(page: Page): Promise<number> {
  return Number(await page.getByTestId('run-frame').textContent())
}

function legendValue(page: Page, signal: string) {
  return page.locator(`.legend tr[data-signal="${signal}"] [data-testid=legend-value]`).first()
}

test('builds the signal tree from the schema, with units and writable marks', async ({ page }) => {
  await open(page)
  const tree = page.getByRole('tree', { name: 'Signal tree' })
  await expect(tree.getByRole('treeitem', { name: 'wave', exact: true })).toBeVisible()
  await expect(tree.getByRole('treeitem', { name: 'wave.out' })).toContainText('V')
  await expect(tree.getByRole('treeitem', { name: 'knob.level' })).toContainText('W')
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('position x')
  await expect(tree.getByRole('treeitem', { name: 'vehicle.position.x' })).toBeVisible()
  await expect(tree.getByRole('treeitem', { name: 'wave.out' })).toHaveCount(0)
})

test('plots a signal whose data advances', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'vehicle.position.x')
  const value = legendValue(page, 'vehicle.position.x')
  await expect(value).not.toHaveText('—')
  const first = Number(await value.textContent())
  await expect.poll(async () => Number(await value.textContent())).toBeGreaterThan(first)
  // uPlot drew a line: the series path exists on the canvas's overlay data.
  await expect(page.locator('.plot .u-over').first()).toBeVisible()
  // A live plot moves what it drew and draws only the new columns, and the picture is the one a whole
  // redraw gives, but for shades of antialiasing (stripSeries.ts).
  const shifted = async (): Promise<number> => (await page.evaluate(() => window.hermesConsole!.plotDrawing())).reduce((n, p) => n + p.shifted, 0)
  await expect.poll(shifted).toBeGreaterThan(20)
  const panels = (await page.evaluate(() => window.hermesConsole!.plotDrawing())).filter((p) => p.shifted > 0).map((p) => p.panel)
  expect(panels.length).toBeGreaterThan(0)
  for (const panel of panels) expect(await page.evaluate((id) => window.hermesConsole!.plotRedrawDiff(id), panel)).toBe(0)
  // The layer holds the vertical grid too: count only the pixels not in the grid's colour.
  const inked = await page
    .locator('.plot canvas.plot-series')
    .first()
    .evaluate((c) => {
      const probe = document.createElement('canvas').getContext('2d')!
      probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--plot-grid').trim()
      probe.fillRect(0, 0, 1, 1)
      const grid = probe.getImageData(0, 0, 1, 1).data
      const canvas = c as HTMLCanvasElement
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      let n = 0
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && Math.max(Math.abs(data[i]! - grid[0]!), Math.abs(data[i + 1]! - grid[1]!), Math.abs(data[i + 2]! - grid[2]!)) > 40) n++
      return n
    })
  expect(inked).toBeGreaterThan(50)
  // A live window that only slides leaves uPlot's chart (y axes and grid) as it was; the pointer over the
  // plot keeps it current for the cursor.
  const drawing = async (): Promise<{ chart: number; frames: number }> => {
    const p = (await page.evaluate(() => window.hermesConsole!.plotDrawing())).find((d) => d.panel === panels[0])!
    return { chart: p.chart, frames: p.full + p.shifted }
  }
  await page.mouse.move(0, 0)
  const before = await drawing()
  await expect.poll(async () => (await drawing()).frames - before.frames).toBeGreaterThan(20)
  const away = await drawing()
  expect(away.chart - before.chart).toBeLessThan((away.frames - before.frames) / 2)
  const box = (await page.getByTestId(`plot-${panels[0]}`).boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + 30)
  const entered = await drawing()
  await expect.poll(async () => (await drawing()).frames - entered.frames).toBeGreaterThan(20)
  const over = await drawing()
  expect(over.chart - entered.chart).toBeGreaterThanOrEqual(over.frames - entered.frames)
})

test('a signal dragged from the tree onto a plot is plotted there', async ({ page }) => {
  await open(page)
  const plot = page.getByRole('region', { name: 'Plot 1' })
  await expect(plot.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(0)
  await page.getByRole('tree', { name: 'Signal tree' }).getByRole('treeitem', { name: 'wave.out' }).dragTo(plot.locator('.plot-canvas'))
  await expect(plot.locator('.legend tr[data-signal="wave.out"]')).toHaveCount(1)
})

test('pause stops the frame counter, resume restarts it', async ({ page }) => {
  await open(page)
  await page.getByRole('button', { name: 'Pause', exact: true }).click()
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled()
  // The counter shows telemetry, a tick behind the event: let the last frames arrive.
  await page.waitForTimeout(300)
  const paused = await frame(page)
  await page.waitForTimeout(600)
  expect(await frame(page)).toBe(paused)
  await page.getByRole('button', { name: 'Resume', exact: true }).click()
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await expect.poll(() => frame(page)).toBeGreaterThan(paused)
})

test('step 10 advances exactly 10 frames, and step is enabled only while paused', async ({ page }) => {
  await open(page)
  await expect(page.getByRole('button', { name: 'Step', exact: true })).toBeDisabled()
  await page.getByRole('button', { name: 'Pause', exact: true }).click()
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  await page.waitForTimeout(300)
  const before = await frame(page)
  await page.getByRole('spinbutton', { name: 'Frames per step' }).fill('10')
  await page.getByRole('button', { name: 'Step', exact: true }).click()
  await expect.poll(() => frame(page)).toBe(before + 10)
  await page.waitForTimeout(400)
  expect(await frame(page)).toBe(before + 10)
})

test('reset returns to frame 0', async ({ page }) => {
  await open(page)
  await expect.poll(() => frame(page)).toBeGreaterThan(10)
  await page.getByRole('button', { name: 'Pause', exact: true }).click()
  await page.getByRole('button', { name: 'Reset', exact: true }).click()
  // Reset asks first: the run is untouched until the person confirms.
  const confirm = page.getByRole('alertdialog', { name: 'Reset the run' })
  await expect(confirm).toBeVisible()
  expect(await frame(page)).toBeGreaterThan(10)
  await confirm.getByRole('button', { name: 'Reset', exact: true }).click()
  await expect.poll(() => frame(page)).toBe(0)
  await expect(page.getByTestId('run-time')).toHaveText('0.000 s')
  await expect(page.getByRole('log')).toContainText('reset')
})

test('setting a writable signal changes what the plot shows', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'knob.level')
  await expect(legendValue(page, 'knob.level')).toHaveText('0.0000')
  const input = page.getByRole('textbox', { name: 'New value for knob.level' }).first()
  await input.fill('42.5')
  await input.press('Enter')
  await expect(page.getByRole('status', { name: 'Result for knob.level' }).first()).toHaveText('ack 42.5')
  await expect(legendValue(page, 'knob.level')).toHaveText('42.5000')
  await input.fill('abc')
  await input.press('Enter')
  await expect(page.getByRole('status', { name: 'Result for knob.level' }).first()).toContainText('not a number')
})

test('shows the lost link when the server dies, and reconnects by itself when it is back', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  await engine.kill()
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('lost, retrying in')
  await expect(page.getByTestId('frame-age')).toContainText('stale')
  await engine.start()
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected', { timeout: 15_000 })
  // The plot kept its signal and streams again.
  const value = legendValue(page, 'wave.out')
  const before = await value.textContent()
  await expect.poll(async () => value.textContent()).not.toBe(before)
})

test('a second, external client keeps its own subscription', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  const external = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  await external.subscribe(['knob.level'])
  const counts: number[] = []
  external.on('frame', (f) => counts.push(f.values.length))
  // Frames keep coming to the external client however busy the machine is; each carries its one signal.
  await expect.poll(() => counts.length, { timeout: 30_000 }).toBeGreaterThan(10)
  await expect(legendValue(page, 'wave.out')).not.toHaveText('—')
  expect(new Set(counts)).toEqual(new Set([1]))
  external.close()
})

test('keeps the layout across a restart of the console', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  await page.getByRole('button', { name: 'Add plot' }).click()
  await plotSignal(page, 'vehicle.velocity.y')
  await page.getByRole('combobox', { name: 'Time window' }).selectOption('60')
  await page.reload()
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await expect(page.getByRole('region', { name: 'Plot 1' }).locator('.legend tr[data-signal="wave.out"]')).toHaveCount(1)
  await expect(page.getByRole('region', { name: 'Plot 2' }).locator('.legend tr[data-signal="vehicle.velocity.y"]')).toHaveCount(1)
  await expect(page.getByRole('combobox', { name: 'Time window' })).toHaveValue('60')
})

test('zooming into history leaves live mode, and one click returns to it', async ({ page }) => {
  await open(page)
  await plotSignal(page, 'wave.out')
  await page.waitForTimeout(1500)
  const over = page.locator('.plot .u-over').first()
  const box = (await over.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 })
  await page.mouse.up()
  const live = page.getByRole('button', { name: 'Go live' })
  await expect(live).toBeEnabled()
  await live.click()
  await expect(page.getByRole('button', { name: 'Live', exact: true })).toBeDisabled()
})
