// The console's readouts tell the truth, in Chromium against the real engine: a dead engine, a server
// that was never there, a schema too large to take whole, and a module that exits mid-run.
import { expect, test } from '@playwright/test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { HermesClient } from '../src/shared/client/hermesClient'
import { Engine, freePort } from './engine'

const engines: Engine[] = []

test.afterEach(async ({ page }, testInfo) => {
  const path = testInfo.outputPath('status.png')
  await page.screenshot({ path })
  await testInfo.attach('status', { path, contentType: 'image/png' })
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

function lab(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-e2e-status-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

async function start(config: string, extraArgs: string[] = []): Promise<Engine> {
  const engine = new Engine(config, await freePort(), extraArgs)
  await engine.start()
  engines.push(engine)
  return engine
}

test('after the engine dies the run state reads unknown and missing is blank, not the last values', async ({ page }) => {
  const engine = await start(join(__dirname, 'fixtures', 'console.yaml'))
  await page.goto(engine.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await engine.kill()
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('lost, retrying in')
  await expect(page.getByTestId('run-state')).toHaveText('unknown')
  await expect(page.getByTestId('missing')).toHaveText('missing —')
})

test('a recorded run shows REC and the file it records to; an unrecorded one shows nothing', async ({ page }) => {
  const file = join(lab({}), 'shown.mcap')
  const recorded = await start(join(__dirname, 'fixtures', 'console.yaml'), ['--record', file])
  await page.goto(recorded.url)
  const badge = page.getByTestId('recording')
  await expect(badge).toHaveText('REC shown.mcap')
  await expect(badge).toHaveAttribute('aria-label', `Recording to ${file}`)
  await expect(badge).toHaveAttribute('title', `recording every frame to ${file}`)
  await badge.focus()
  await expect(badge).toBeFocused()
  const plain = await start(join(__dirname, 'fixtures', 'console.yaml'), ['--no-record'])
  await page.goto(plain.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await expect(badge).toHaveCount(0)
})

test('a console that never connected says where and why, in the badge and in the event log', async ({ page }) => {
  const engine = await start(join(__dirname, 'fixtures', 'console.yaml'))
  const nowhere = `ws://127.0.0.1:${await freePort()}`
  await page.goto(`${engine.url}?server=${encodeURIComponent(nowhere)}`)
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText(`cannot connect to ${nowhere}`)
  await expect(page.getByRole('log')).toContainText(`cannot connect to ${nowhere}`)
})

test('with more than 256 signals and nothing plotted, a healthy link shows nothing missing; a plotted signal streams', async ({ page }) => {
  const signals = Array.from({ length: 300 }, (_, i) => `      - { name: s${i} }`).join('\n')
  const dir = lab({ 'big.yaml': `modules:\n  knobs:\n    type: inproc\n    model: injection\n    signals:\n${signals}\n  wave: { type: inproc, model: signal_generator }\nexecution: { mode: realtime, rate_hz: 50 }\nserver: { enabled: true, telemetry_hz: 30 }\nrecording: { enabled: false }\n` })
  // Not recorded: no history to fill a late signal's past (history.spec.ts has the recorded case).
  const engine = await start(join(dir, 'big.yaml'))
  await page.goto(engine.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  // The console takes the first 256 signals in schema order: the wave (the 301st) is not among them.
  const plot = page.getByRole('region', { name: 'Plot 1' })
  await expect(page.locator('.quality')).not.toHaveAttribute('data-stale', 'true')
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('wave.out')
  await page.getByRole('button', { name: 'Plot wave.out', exact: true }).click()
  await expect(plot.locator('.legend tr[data-signal="wave.out"] [data-testid=legend-value]')).not.toHaveText('—')
  // It joined late, and says from when.
  await expect(plot.locator('.legend tr[data-signal="wave.out"] .late')).toContainText('from ')
  await expect(page.getByTestId('missing')).not.toHaveText('missing 100 %')
})

/** A served run of one Python module, `sensor`, that exits with status 3 at `frame`. */
function faultingModule(frame: number): string {
  return lab({
    'm.py': `import sys
from hermes_module import Module, run

class M(Module):
    signals = [{"name": "n"}]
    def step(self, t):
        if t.frame == ${frame}:
            sys.exit(3)
        self.outputs["n"] = t.frame

run(M())
`,
    'fault.yaml': 'modules:\n  sensor: { type: script, script: m.py, signals: [{ name: n }] }\nexecution: { mode: realtime, rate_hz: 50 }\nserver: { enabled: true, telemetry_hz: 30 }\n'
  })
}

test('a module that exits shows a banner naming it, marks it in the tree, and Reset brings the run back', async ({ page }) => {
  const dir = faultingModule(40)
  const engine = await start(join(dir, 'fault.yaml'))
  await page.goto(engine.url)
  const banner = page.getByRole('alert', { name: 'Module fault' })
  await expect(banner).toContainText('Module sensor failed at frame 40', { timeout: 30_000 })
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  await expect(page.getByRole('treeitem', { name: 'sensor (faulted)' })).toBeVisible()
  // The Topology panel marks it too, and only it.
  await page.getByLabel('Add panel').selectOption('topology')
  const box = page.locator('.topology-module', { hasText: 'sensor' })
  await expect(box).toHaveClass(/faulted/)
  await expect(box).toHaveAttribute('aria-label', /faulted/)
  await expect(page.locator('.topology-module.faulted')).toHaveCount(1)
  await banner.getByRole('button', { name: 'Reset' }).click()
  await page.getByRole('alertdialog', { name: 'Reset the run' }).getByRole('button', { name: 'Reset', exact: true }).click()
  await expect(banner).toHaveCount(0)
  await expect(page.getByRole('treeitem', { name: 'sensor', exact: true })).toBeVisible()
  await expect(page.locator('.topology-module.faulted')).toHaveCount(0)
  // Dismiss hides the banner of the next fault without resetting (the module restarted and fails again).
  const resume = page.getByRole('button', { name: 'Resume', exact: true })
  if (await resume.isEnabled()) await resume.click()
  await expect(banner).toBeVisible({ timeout: 30_000 })
  await banner.getByRole('button', { name: 'Dismiss' }).click()
  await expect(banner).toHaveCount(0)
  await expect(page.getByRole('treeitem', { name: 'sensor (faulted)' })).toBeVisible()
})

test('a console opened after a module failed shows the fault from the schema, without having seen the event', async ({ page }) => {
  const dir = faultingModule(5)
  const engine = await start(join(dir, 'fault.yaml'))
  // The fault has happened (another client sees it in the status) before the console opens.
  const watcher = await HermesClient.connect(engine.wsUrl, { WebSocket: WebSocket as never })
  await expect.poll(async () => (await watcher.status()).fault?.module ?? null, { timeout: 30_000 }).toBe('sensor')
  watcher.close()
  await page.goto(engine.url)
  await expect(page.getByRole('alert', { name: 'Module fault' })).toContainText('Module sensor failed at frame 5')
  await expect(page.getByRole('treeitem', { name: 'sensor (faulted)' })).toBeVisible()
})
