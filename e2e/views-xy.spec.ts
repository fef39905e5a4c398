// The XY, Topology and readable-series views, in Chromium against the real engine running the demo.
import { expect, test, type Page } from '@playwright/test'
import { WebSocket } from 'ws'
import { Engine } from './engine'
import { openConsole, screenshotsAtOperatorSizes } from './console'

interface DemoSchema {
  modules: Record<string, { rate_hz?: number }>
  wiring: { src: string; dst: string; gain: number; offset: number }[]
}

/** The schema as a second client gets it, asking for the extended one. */
function schemaOf(url: string): Promise<DemoSchema> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.on('open', () => ws.send(JSON.stringify({ action: 'hello', params: { extensions: ['schema'] } })))
    ws.on('message', (data, binary) => {
      if (binary) return
      const msg = JSON.parse(String(data)) as { type?: string; run_id?: string }
      if (msg.type === 'schema' && msg.run_id !== undefined) {
        ws.close()
        resolve(msg as unknown as DemoSchema)
      }
    })
    ws.on('error', reject)
  })
}

let engine: Engine

test.beforeAll(async () => {
  engine = await Engine.start('resources/examples/demo.yaml')
})

test.afterAll(async () => {
  await engine.stop()
})

const open = (page: Page): Promise<void> => openConsole(page, engine.url)

/** Adds a panel of a kind from the toolbar's menu; returns its region. */
async function addPanel(page: Page, kind: string, title: string) {
  await page.getByLabel('Add panel').selectOption(kind)
  const region = page.getByRole('region', { name: title })
  await expect(region).toBeVisible()
  return region
}

/** The XY canvas's pixels as a data URL (changes when anything drawn moves). */
function pixels(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL())
}

/** How many pixels of the panel's canvases have (nearly) a CSS colour: how much of a trace is drawn. */
function pixelsOfColor(page: Page, testId: string, color: string): Promise<number> {
  // A time plot draws its series on a layer of their own over uPlot's canvas: count on every canvas.
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluateAll((canvases, css) => {
      const probe = document.createElement('canvas').getContext('2d')!
      probe.fillStyle = css
      probe.fillRect(0, 0, 1, 1)
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data
      let n = 0
      for (const c of canvases) {
        const canvas = c as HTMLCanvasElement
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 30) n++
      }
      return n
    }, color)
}

test('an XY panel of position x against y draws a trajectory that moves as the run goes, with the target as a second trace', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await open(page)
  const xy = await addPanel(page, 'xy', 'XY')
  const id = await xy.getAttribute('data-panel')
  // The first trace offered is the schema's first x/y pair: the vehicle's position.
  await xy.getByRole('button', { name: '+ trace' }).click()
  await expect(xy.getByRole('combobox', { name: 'Trace 1 X' })).toHaveValue('vehicle.position.x')
  await expect(xy.getByRole('combobox', { name: 'Trace 1 Y' })).toHaveValue('vehicle.position.y')
  // The target as a second trace: target.out against target_y.out.
  await xy.getByRole('button', { name: '+ trace' }).click()
  await xy.getByRole('combobox', { name: 'Trace 2 X' }).selectOption('target.out')
  await xy.getByRole('combobox', { name: 'Trace 2 Y' }).selectOption('target_y.out')
  await xy.getByRole('checkbox', { name: 'equal aspect' }).check()

  // The readout at the newest sample: its time advances and the position in it changes.
  const canvas = page.getByTestId(`xy-${id}`)
  const readout = page.getByTestId(`xy-readout-${id}`)
  const newest = async (): Promise<{ t: number; x: number; y: number }> => {
    await canvas.focus()
    await canvas.press('End')
    const text = (await readout.textContent()) ?? ''
    const m = /^t ([\d.]+) s: vehicle\.position\.x (\S+), vehicle\.position\.y (\S+);/.exec(text)
    if (!m) throw new Error(`unexpected readout: ${text}`)
    return { t: Number(m[1]), x: Number(m[2]), y: Number(m[3]) }
  }
  await expect.poll(async () => (await newest()).t).toBeGreaterThan(1)
  const a = await newest()
  const before = await pixels(page, `xy-${id}`)
  await expect.poll(async () => (await newest()).t).toBeGreaterThan(a.t + 1)
  const b = await newest()
  expect(b.x !== a.x || b.y !== a.y).toBe(true)
  await expect.poll(() => pixels(page, `xy-${id}`)).not.toBe(before)
  // Both traces are drawn: pixels of each trace's colour (its swatch) are on the canvas.
  for (const trace of [0, 1]) {
    const color = await xy.locator(`[data-trace="${trace}"] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor)
    await expect.poll(() => pixelsOfColor(page, `xy-${id}`, color)).toBeGreaterThan(100)
  }
  await canvas.blur()
  await screenshotsAtOperatorSizes(page, testInfo, 'xy')

  // The layout keeps the traces: a reload brings them back.
  await page.reload()
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  const again = page.getByRole('region', { name: 'XY' })
  await expect(again.getByRole('combobox', { name: 'Trace 2 Y' })).toHaveValue('target_y.out')
  await expect(again.getByRole('checkbox', { name: 'equal aspect' })).toBeChecked()
})

test('XY zoom, pan and back to live; the shared cursor goes both ways between a time plot and the XY trace', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 })
  await open(page)
  const xy = await addPanel(page, 'xy', 'XY')
  const id = await xy.getAttribute('data-panel')
  await xy.getByRole('button', { name: '+ trace' }).click()
  const canvas = page.getByTestId(`xy-${id}`)
  await expect.poll(async () => {
    await canvas.focus()
    await canvas.press('End')
    return page.getByTestId(`xy-readout-${id}`).textContent()
  }).toMatch(/^t \d/)
  // Zooming with the keyboard leaves live; L returns.
  await canvas.press('+')
  await expect(xy.getByRole('button', { name: 'Go live' })).toBeEnabled()
  await canvas.press('Shift+ArrowLeft')
  await canvas.press('l')
  await expect(xy.getByRole('button', { name: 'Live' })).toBeDisabled()
  // A wheel zoom, then a double-click back to live.
  const box = (await canvas.locator('.u-over').boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -200)
  await expect(xy.getByRole('button', { name: 'Go live' })).toBeEnabled()
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2)
  await expect(xy.getByRole('button', { name: 'Live' })).toBeDisabled()
  await canvas.blur()

  // Hovering a time plot sets the shared cursor; the legend reads the values there.
  const timePlot = page.locator('.plot-canvas[aria-roledescription="time plot"]').first()
  const tb = (await timePlot.locator('.u-over').boundingBox())!
  await page.mouse.move(tb.x + tb.width * 0.6, tb.y + tb.height / 2)
  await expect(page.locator('.legend th').nth(1).first()).toHaveText(/^at [\d.]+ s$/)
  await page.mouse.move(0, 0)
  await expect(page.locator('.legend th').nth(1).first()).toHaveText('latest')
  // Hovering the XY trace sets the shared cursor to the time of the sample under the pointer: sweep the
  // plot area until the pointer is near the trail (the fitted view puts the trail across it).
  const xb = (await canvas.locator('.u-over').boundingBox())!
  let found = ''
  for (let i = 1; i < 12 && !found; i++) {
    for (let j = 1; j < 12 && !found; j++) {
      await page.mouse.move(xb.x + (xb.width * i) / 12, xb.y + (xb.height * j) / 12)
      const header = (await page.locator('.legend th').nth(1).first().textContent()) ?? ''
      if (header.startsWith('at ')) found = header
    }
  }
  expect(found).toMatch(/^at [\d.]+ s$/)
})

test('the Topology panel shows every module and wire of the demo, live values on a wire, and filters the tree to a module', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1600, height: 1000 })
  await open(page)
  // What the schema says, from an independent client.
  const schema = await schemaOf(engine.wsUrl)
  const topo = await addPanel(page, 'topology', 'Topology')
  await expect(topo.locator('[data-module]')).toHaveCount(Object.keys(schema.modules).length)
  await expect(topo.locator('[data-wire]')).toHaveCount(schema.wiring.length)
  expect((await topo.locator('[data-module]').evaluateAll((els) => els.map((e) => e.getAttribute('data-module')))).sort()).toEqual(Object.keys(schema.modules).sort())
  expect((await topo.locator('[data-wire]').evaluateAll((els) => els.map((e) => e.getAttribute('data-wire')))).sort()).toEqual(schema.wiring.map((w) => `${w.src}->${w.dst}`).sort())
  // Rates on the boxes (the vehicle sub-steps at 500 Hz), gain and offset on the arrows.
  await expect(topo.locator('[data-module="vehicle"]')).toContainText('500 Hz')
  await expect(topo.locator('[data-module="pid_x"]')).toContainText('100 Hz')
  await expect(topo.locator('[data-wire="target.out->pid_x.setpoint"]')).toContainText('×1 + 0')
  // Hovering a wire shows both ends' live values; a wire of gain 1 and offset 0 carries the same value.
  await topo.locator('[data-wire="target.out->pid_x.setpoint"] text').first().hover()
  const values = page.getByTestId('wire-values')
  await expect(values).toContainText('target.out')
  await expect(values).toContainText('pid_x.setpoint')
  await expect(values.locator('.num').first()).not.toHaveText('—')
  await screenshotsAtOperatorSizes(page, testInfo, 'topology')
  // Maximised, the whole graph fits at a readable size.
  const tabset = page.locator('.flexlayout__tabset_tabbar_outer', { has: page.locator('.flexlayout__tab_button', { hasText: 'Topology' }) })
  await tabset.getByRole('button', { name: 'Maximize tabset' }).click()
  await screenshotsAtOperatorSizes(page, testInfo, 'topology-maximised')
  await page.getByRole('button', { name: /^Restore tabset/ }).click()
  // Clicking a module filters the tree to its signals; Enter on a focused box does the same.
  await topo.locator('[data-module="pid_x"]').click()
  await expect(page.getByRole('searchbox', { name: 'Search signals' })).toHaveValue('pid_x.')
  const tree = page.getByRole('tree', { name: 'Signal tree' })
  await expect(tree.getByRole('treeitem', { name: 'pid_x.output' })).toBeVisible()
  await expect(tree.getByRole('treeitem', { name: 'vehicle.position.x' })).toHaveCount(0)
  await topo.locator('[data-module="vehicle"]').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('searchbox', { name: 'Search signals' })).toHaveValue('vehicle.')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('searchbox', { name: 'Search signals' })).toHaveValue('')
  // Space on a focused box is the box's (it filters), not the console's pause.
  await page.keyboard.press('Space')
  await expect(page.getByRole('searchbox', { name: 'Search signals' })).toHaveValue('vehicle.')
  await expect(page.getByTestId('run-state')).toHaveText('running')
})

test('readable series: two units give two labelled axes, a legend click hides a signal, Alt+click solos it, a double-click returns to live', async ({ page }, testInfo) => {
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 1600, height: 1000 })
  await open(page)
  // The demo's first plot has position x and its setpoint (m); add the push along x (N).
  const region = page.getByRole('region', { name: 'Position x against its setpoint' })
  const canvas = page.getByTestId('plot-x')
  await expect(canvas).toHaveAttribute('aria-label', /y axes: m\./)
  // uPlot draws the y axes (the time axis is the console's own canvas under the chart).
  await expect(canvas.locator('.u-axis')).toHaveCount(1)
  await expect(canvas.locator('canvas.plot-time-axis')).toHaveCount(1)
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('disturbance.force.x')
  await page.getByRole('button', { name: 'Plot disturbance.force.x', exact: true }).click()
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('')
  await expect(canvas).toHaveAttribute('aria-label', /y axes: m; N\./)
  await expect(canvas.locator('.u-axis')).toHaveCount(2)

  // Each signal in its colour on the canvas; the same signal has the same colour in another panel.
  const swatch = (name: string) => region.locator(`tr[data-signal="${name}"] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor)
  const position = await swatch('vehicle.position.x')
  const setpoint = await swatch('pid_x.setpoint')
  // The push is 0 N, a flat line across the middle of its own axis: nothing else covers it for long.
  const push = await swatch('disturbance.force.x')
  expect(new Set([position, setpoint, push]).size).toBe(3)
  await expect.poll(() => pixelsOfColor(page, 'plot-x', position)).toBeGreaterThan(50)
  await expect.poll(() => pixelsOfColor(page, 'plot-x', push)).toBeGreaterThan(50)
  const xy = await addPanel(page, 'xy', 'XY')
  await xy.getByRole('button', { name: '+ trace' }).click()
  await xy.getByRole('combobox', { name: 'Trace 1 Y' }).selectOption('pid_x.setpoint')
  expect(await xy.locator('[data-trace="0"] .swatch').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(setpoint)

  // A click hides a signal (its row struck, its line gone), another shows it.
  const name = (signal: string) => region.getByRole('button', { name: signal, exact: true })
  await name('disturbance.force.x').click()
  await expect(name('disturbance.force.x')).toHaveAttribute('aria-pressed', 'false')
  await expect.poll(() => pixelsOfColor(page, 'plot-x', push)).toBeLessThan(5)
  await expect.poll(() => pixelsOfColor(page, 'plot-x', position)).toBeGreaterThan(50)
  await name('disturbance.force.x').click()
  await expect.poll(() => pixelsOfColor(page, 'plot-x', push)).toBeGreaterThan(50)
  // Alt+click solos: only that one is drawn; Alt+click on it again shows them all.
  await name('vehicle.position.x').click({ modifiers: ['Alt'] })
  await expect(name('pid_x.setpoint')).toHaveAttribute('aria-pressed', 'false')
  await expect(name('disturbance.force.x')).toHaveAttribute('aria-pressed', 'false')
  await expect(name('vehicle.position.x')).toHaveAttribute('aria-pressed', 'true')
  await expect.poll(() => pixelsOfColor(page, 'plot-x', push)).toBeLessThan(5)
  await expect.poll(() => pixelsOfColor(page, 'plot-x', position)).toBeGreaterThan(50)
  await screenshotsAtOperatorSizes(page, testInfo, 'solo')
  await name('vehicle.position.x').click({ modifiers: ['Alt'] })
  await expect(name('pid_x.setpoint')).toHaveAttribute('aria-pressed', 'true')
  await expect(name('disturbance.force.x')).toHaveAttribute('aria-pressed', 'true')

  // Hovering the XY trail marks the same instant on the time plot: its cursor line moves into view.
  // uPlot moves its cursor line with a transform and marks it u-off when it is outside the plot.
  const cursorLeft = () => canvas.locator('.u-cursor-x').evaluate((e) => (e.classList.contains('u-off') ? -1 : new DOMMatrix(getComputedStyle(e).transform).m41))
  expect(await cursorLeft()).toBeLessThan(0)
  const xb = (await page.getByTestId(`xy-${await xy.getAttribute('data-panel')}`).locator('.u-over').boundingBox())!
  let marked = false
  for (let i = 1; i < 12 && !marked; i++) {
    for (let j = 1; j < 12 && !marked; j++) {
      await page.mouse.move(xb.x + (xb.width * i) / 12, xb.y + (xb.height * j) / 12)
      marked = (await cursorLeft()) >= 0
    }
  }
  expect(marked).toBe(true)
  await page.mouse.move(0, 0)
  await expect.poll(cursorLeft).toBeLessThan(0)

  // Wheel zoom leaves live; a double-click on the plot returns to the full live window.
  const over = (await canvas.locator('.u-over').boundingBox())!
  await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2)
  await page.mouse.wheel(0, -300)
  const view = page.getByRole('toolbar', { name: 'View' })
  await expect(view.getByRole('button', { name: 'Go live' })).toBeEnabled()
  await page.mouse.dblclick(over.x + over.width / 2, over.y + over.height / 2)
  await expect(view.getByRole('button', { name: 'Live', exact: true })).toBeDisabled()
  await screenshotsAtOperatorSizes(page, testInfo, 'axes')
})
