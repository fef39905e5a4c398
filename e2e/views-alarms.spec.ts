// The signal table, limits and alarms, and derived signals, in Chromium against the real engine running
// the demo with limits on the vehicle's position x; an independent WebSocket client checks the numbers.
import { expect, test, type Page } from '@playwright/test'
import { WebSocket } from 'ws'
import { HermesClient } from '../src/shared/client/hermesClient'
import { Engine } from './engine'
import { openConsole, screenshot } from './console'

/** The table's number format (panels/table/tableOptions.ts formatFixed), for the values checked here. */
function formatFixed(v: number, precision: number): string {
  const a = Math.abs(v)
  return a !== 0 && (a >= 1e9 || a < 10 ** -precision / 2) ? v.toExponential(precision) : v.toFixed(precision)
}

let engine: Engine

test.beforeAll(async () => {
  engine = await Engine.start('e2e/fixtures/limits.yaml')
})

test.afterAll(async () => {
  await engine.stop()
})

test.use({ viewport: { width: 1280, height: 720 } })

const open = (page: Page): Promise<void> => openConsole(page, engine.url)

/** Presses the tree's + on a signal: it goes to the active panel (a plot or a table). */
async function addFromTree(page: Page, signal: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search signals' }).fill(signal)
  await page.getByRole('button', { name: `Plot ${signal}`, exact: true }).click()
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('')
}

async function addPanel(page: Page, kind: 'table' | 'alarms'): Promise<void> {
  await page.getByRole('combobox', { name: 'Add panel' }).selectOption(kind)
}

/** An independent client: every frame it gets, by signal. */
async function observer(signals: string[]) {
  const client = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  const ack = await client.subscribe(signals)
  const frames: { frame: number; values: Record<string, number> }[] = []
  client.on('frame', (f) => frames.push({ frame: f.frame, values: Object.fromEntries(ack.signals.map((n, i) => [n, f.values[i]!])) }))
  return { client, frames }
}

test.afterEach(async () => {
  // Every test leaves the run as it found it: running, undisturbed.
  const c = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  await c.set('disturbance.force.x', 0)
  await c.resume().catch(() => undefined)
  c.close()
})

test('a table of chosen signals shows the values an independent client receives', async ({ page }, testInfo) => {
  await open(page)
  await addPanel(page, 'table')
  const signals = ['vehicle.position.x', 'vehicle.velocity.x', 'pid_x.output', 'disturbance.force.x']
  for (const s of signals) await addFromTree(page, s)
  const table = page.locator('.signal-table')
  for (const s of signals) await expect(table.locator(`tr[data-signal="${s}"]`)).toHaveCount(1)
  // The writable one has the shared value box.
  await expect(table.locator('tr[data-signal="disturbance.force.x"]').getByRole('textbox', { name: 'New value for disturbance.force.x' })).toBeVisible()
  const ext = await observer(signals)
  await ext.client.pause()
  // Paused, the same frame keeps coming: the table must show what the client got, at its precision.
  await expect.poll(() => ext.frames.length, { timeout: 30_000 }).toBeGreaterThan(3)
  for (const s of signals) {
    await expect
      .poll(async () => {
        const last = ext.frames.at(-1)!
        return (await table.locator(`tr[data-signal="${s}"] td[data-col=value]`).textContent()) === formatFixed(last.values[s]!, 4)
      }, { timeout: 15_000 })
      .toBe(true)
  }
  // Sorting by value descending puts the largest first; the filter narrows the rows.
  await table.getByRole('button', { name: 'value' }).click()
  await table.getByRole('button', { name: /^value/ }).click()
  const last = ext.frames.at(-1)!.values
  const expected = [...signals].sort((a, b) => last[b]! - last[a]!)
  await expect.poll(async () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-signal')))).toEqual(expected)
  await table.getByRole('searchbox', { name: 'Filter rows' }).fill('velocity')
  await expect(table.locator('tbody tr')).toHaveCount(1)
  await table.getByRole('searchbox', { name: 'Filter rows' }).fill('')
  await screenshot(page, testInfo, 'table')
  ext.client.close()
})

test('limits from the YAML turn the position amber, then red, as the disturbance is set, and the alarms panel lists the crossings with their frames', async ({ page }, testInfo) => {
  await open(page)
  await addFromTree(page, 'vehicle.position.x')
  await addPanel(page, 'alarms')
  const ext = await observer(['vehicle.position.x'])
  const setter = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  // More than the controller's 40 N can hold: the vehicle is pushed away along x.
  await setter.set('disturbance.force.x', 120)
  // The tree is virtualised: search keeps the leaf on screen.
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('vehicle.position')
  const leaf = page.getByRole('treeitem', { name: /^vehicle\.position\.x/ })
  await expect(leaf).toHaveClass(/limit-warn|limit-alarm/, { timeout: 30_000 })
  await expect(page.locator('.legend tr[data-signal="vehicle.position.x"]')).toHaveClass(/limit-warn|limit-alarm/)
  await screenshot(page, testInfo, 'warn')
  await expect(leaf).toHaveClass(/limit-alarm/, { timeout: 30_000 })
  await expect(page.locator('.legend tr[data-signal="vehicle.position.x"]')).toHaveClass(/limit-alarm/)
  const alarms = page.locator('.alarms')
  await expect(alarms.locator('.alarm-now li[data-signal="vehicle.position.x"]')).toContainText('alarm')
  const toAlarm = alarms.locator('tr[data-testid=crossing][data-signal="vehicle.position.x"]', { hasText: 'warn → alarm' })
  await expect(toAlarm).toHaveCount(1)
  await expect(alarms.locator('tr[data-testid=crossing]', { hasText: 'ok → warn' })).toHaveCount(1)
  // The crossing's frame is one the independent client received too, with the same value beyond 10 m,
  // and the frame it received before was within the alarm range: the console saw the first frame out.
  const frame = Number(await toAlarm.getAttribute('data-frame'))
  const value = Number(await toAlarm.getAttribute('data-value'))
  expect(Math.abs(value)).toBeGreaterThan(10)
  await expect.poll(() => ext.frames.some((f) => f.frame === frame)).toBe(true)
  const at = ext.frames.findIndex((f) => f.frame === frame)
  expect(ext.frames[at]!.values['vehicle.position.x']).toBe(value)
  if (at > 0) expect(Math.abs(ext.frames[at - 1]!.values['vehicle.position.x']!)).toBeLessThanOrEqual(10)
  await screenshot(page, testInfo, 'alarm')
  // Acknowledge from the keyboard: the newest crossing first, then all.
  await toAlarm.focus()
  await page.keyboard.press('Enter')
  await expect(toAlarm).toHaveClass(/acked/)
  await alarms.getByRole('button', { name: 'Acknowledge all' }).click()
  await expect(alarms.locator('tr[data-testid=crossing]:not(.acked)')).toHaveCount(0)
  // A reset puts the vehicle back at 0 at once: the return is a crossing of its own, and the colour goes.
  await setter.set('disturbance.force.x', 0)
  await setter.reset()
  await expect(alarms.locator('tr[data-testid=crossing]', { hasText: 'alarm → ok' })).toHaveCount(1, { timeout: 30_000 })
  await expect(leaf).not.toHaveClass(/limit-/)
  await expect(alarms.locator('.alarm-now li')).toHaveCount(0)
  setter.close()
  ext.client.close()
})

test('a derived hypot(velocity) is plotted with the values computed from an independent client’s frames', async ({ page }, testInfo) => {
  await open(page)
  await page.getByRole('button', { name: 'ƒ Derived…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Derived signals' })
  await dialog.getByRole('textbox', { name: 'Derived signal name' }).fill('speed')
  // A bad expression is refused, saying where.
  await dialog.getByRole('textbox', { name: 'Expression' }).fill('hypot(vehicle.velocity.x, vehicle.velocity.z)')
  await dialog.getByRole('button', { name: 'Add' }).click()
  await expect(dialog.getByRole('alert')).toHaveText("unknown signal 'vehicle.velocity.z' (at column 27)")
  await dialog.getByRole('textbox', { name: 'Expression' }).fill('hypot(vehicle.velocity.x, vehicle.velocity.y)')
  await dialog.getByRole('textbox', { name: 'Unit' }).fill('m/s')
  await dialog.getByRole('button', { name: 'Add' }).click()
  await expect(dialog.locator('tr[data-derived=speed]')).toHaveCount(1)
  await dialog.getByRole('button', { name: 'Add speed to the active panel' }).click()
  await dialog.getByRole('button', { name: 'Close' }).click()
  const row = page.locator('.legend tr[data-signal="speed"]')
  await expect(row).toHaveCount(1)
  await expect(row.locator('.unit')).toHaveText('[m/s]')
  const ext = await observer(['vehicle.velocity.x', 'vehicle.velocity.y'])
  const setter = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  // A push, so that the speed is well away from zero, then hold the run still to compare.
  await setter.set('disturbance.force.x', 30)
  await expect.poll(() => ext.frames.length, { timeout: 30_000 }).toBeGreaterThan(10)
  await setter.pause()
  // Paused, the server repeats one frame: wait until the client has it twice.
  const before = ext.frames.length
  await expect.poll(() => ext.frames.length > before + 1 && ext.frames.at(-1)!.frame === ext.frames.at(-2)!.frame, { timeout: 20_000 }).toBe(true)
  const last = ext.frames.at(-1)!.values
  const speed = Math.hypot(last['vehicle.velocity.x']!, last['vehicle.velocity.y']!)
  expect(speed).toBeGreaterThan(0.01)
  await expect(row.locator('[data-testid=legend-value]')).toHaveText(speed >= 100 ? speed.toFixed(2) : speed.toFixed(4), { timeout: 20_000 })
  await screenshot(page, testInfo, 'derived')
  // The definition is part of the layout: a reload keeps it, plotted.
  await page.reload()
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await expect(page.locator('.legend tr[data-signal="speed"]')).toHaveCount(1)
  setter.close()
  ext.client.close()
})
