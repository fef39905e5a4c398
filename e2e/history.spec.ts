// The console never shows a hole: a console opened after the run has advanced shows the run from t = 0
// (history fetched on connect), a zoomed view loads its range from the server at full resolution, and a
// link cut through `hermes netsim` leaves no gap once the link is back. The timeline shows the run's
// markers, and a note added in one console appears on another's. Asserted through the diagnostics
// handle (src/shared/diagnostics.ts), which reads what the console holds.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { WebSocket } from 'ws'
import { HermesClient } from '../src/shared/client/hermesClient'
import { Engine, Netsim } from './engine'
import { openConsole, plotSignal } from './console'

const SIGNAL = 'wave.out'
/** console.yaml runs at 50 Hz: 1500 frames are 30 s of simulated time. */
const STEPPED = 1500

let engine: Engine
let runs: string

test.beforeAll(async () => {
  runs = mkdtempSync(join(tmpdir(), 'hermes-history-e2e-'))
  engine = await Engine.start('e2e/fixtures/console.yaml', ['--set', 'execution.start_paused=true', '--record', runs])
  // A raw client advances the paused run 30 s before any console opens.
  const raw = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  await raw.step(STEPPED)
  raw.close()
})

test.afterAll(async () => {
  await engine.stop()
  rmSync(runs, { recursive: true, force: true })
})


const held = (page: Page, signal: string) => page.evaluate((s) => window.hermesConsole!.history.heldRange(s), signal)
const gaps = (page: Page, signal: string) => page.evaluate((s) => window.hermesConsole!.history.gaps(s), signal)
const zoom = (page: Page) => page.evaluate(() => window.hermesConsole!.history.zoom())

test('a console opened 30 s into a run shows it from t = 0, a zoom loads full resolution, and notes reach every timeline', async ({ page, context }, testInfo) => {
  await openConsole(page, engine.url)
  await page.getByRole('combobox', { name: 'Time window' }).selectOption('60')
  await plotSignal(page, SIGNAL)
  // The run is paused at 30 s: only one live frame exists; the rest is history.
  await expect.poll(() => held(page, SIGNAL)).toEqual([0, STEPPED / 50])
  expect(await gaps(page, SIGNAL)).toEqual([])
  // Wheel-zooming into the past loads the range at the simulation's rate (50 Hz, every frame).
  const canvas = page.getByTestId('plot-panel-1')
  const box = (await canvas.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2)
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -100)
  await expect.poll(() => zoom(page).then((z) => z?.mode)).toBe('full')
  const z = (await zoom(page))!
  expect(z.signals).toContain(SIGNAL)
  // Every frame of the loaded range: 50 a second, ends included.
  expect(z.length).toBe(Math.floor(z.to * 50 + 1e-6) - Math.ceil(z.from * 50 - 1e-6) + 1)
  expect(z.from).toBeGreaterThanOrEqual(0)
  expect(z.to).toBeLessThan(STEPPED / 50)
  // Back to live: the held telemetry again.
  await canvas.dblclick()
  await expect.poll(() => zoom(page)).toBeNull()

  const other = await context.newPage()
  await openConsole(other, engine.url)
  // The raw clients' step and resume are on the timeline from the server's `timeline`.
  const timeline = page.getByRole('group', { name: 'Timeline' })
  await expect(timeline.locator('.timeline-marker[data-kind=command]')).not.toHaveCount(0)
  await expect(timeline.getByRole('button', { name: /^Command at .*step 1500/ })).toHaveCount(1)
  await timeline.getByRole('button', { name: 'Add note' }).click()
  const dialog = page.getByRole('dialog', { name: 'Add a note' })
  await dialog.getByRole('textbox', { name: 'Note text' }).fill('valve opened by hand')
  await dialog.getByRole('textbox', { name: 'Note text' }).press('Enter')
  await expect(dialog).toHaveCount(0)
  const note = other.getByRole('group', { name: 'Timeline' }).getByRole('button', { name: /^Note at .*: valve opened by hand/ })
  await expect(note).toHaveCount(1)
  await expect(page.getByRole('group', { name: 'Timeline' }).getByRole('button', { name: /^Note at .*: valve opened by hand/ })).toHaveCount(1)
  // Clicking a marker on a live run moves the plots there (out of live mode).
  await note.click()
  await expect(other.getByRole('button', { name: 'Go live' })).toBeEnabled()
  // The shortcut opens the same dialog; an empty note is refused with a reason.
  await other.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await other.keyboard.press('m')
  const second = other.getByRole('dialog', { name: 'Add a note' })
  await second.getByRole('button', { name: 'Add note' }).click()
  await expect(second.getByRole('alert')).toHaveText('a note needs some text')
  await other.keyboard.press('Escape')
  await expect(second).toHaveCount(0)
  // To look at: the plot and the timeline with its markers, in both themes and two sizes.
  for (const theme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    for (const [width, height] of [[1280, 720], [1600, 1000]] as const) {
      await page.setViewportSize({ width, height })
      await page.screenshot({ path: testInfo.outputPath(`history-${theme}-${width}x${height}.png`) })
    }
  }
})

test('a link cut through netsim leaves no gap once the link is back', async ({ page }) => {
  const raw = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  await raw.resume()
  raw.close()
  const netsim = await Netsim.start(engine, 'perfect')
  try {
    await openConsole(page, netsim.url)
    await plotSignal(page, SIGNAL)
    await expect.poll(() => held(page, SIGNAL).then((r) => (r ? r[1] : 0))).toBeGreaterThan(STEPPED / 50 + 0.5)
    const before = (await held(page, SIGNAL))![1]
    const fetchedBefore = await page.evaluate(() => window.hermesConsole!.history.stats().inserted)
    await netsim.disconnect()
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText('lost')
    await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected', { timeout: 15_000 })
    // Live frames after the reconnect, and the cut filled from history: one unbroken run of samples.
    // The cut lasts at least the first reconnect delay: any frame after it is seconds newer.
    await expect.poll(() => held(page, SIGNAL).then((r) => (r ? r[1] : 0))).toBeGreaterThan(before + 2)
    await expect.poll(() => gaps(page, SIGNAL), { timeout: 15_000 }).toEqual([])
    const stats = await page.evaluate(() => window.hermesConsole!.history.stats())
    // The cut was filled by fetched rows, not by chance.
    expect(stats.inserted).toBeGreaterThan(fetchedBefore)
    expect(stats.errors).toBe(0)
  } finally {
    await netsim.stop()
  }
})
