// The console on a bad link: behind `hermes netsim --profile stressed` it keeps plotting, shows the
// degraded link, and after a cut it shows the lost state and comes back by itself.
import { expect, test } from '@playwright/test'
import { PROFILES } from '../src/main/netsim/conditions'
import { Engine, Netsim } from './engine'

let engine: Engine
let netsim: Netsim

test.beforeEach(async () => {
  engine = await Engine.start('e2e/fixtures/console.yaml')
  netsim = await Netsim.start(engine, 'stressed')
})

test.afterEach(async ({ page }, testInfo) => {
  await page.screenshot({ path: testInfo.outputPath('console.png') })
  await netsim.stop()
  await engine.stop()
})

test('keeps plotting behind a stressed link and shows its quality', async ({ page }) => {
  await page.goto(netsim.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await page.getByRole('searchbox', { name: 'Search signals' }).fill('vehicle.position.x')
  await page.getByRole('button', { name: 'Plot vehicle.position.x', exact: true }).click()
  const value = page.locator('.legend tr[data-signal="vehicle.position.x"] [data-testid=legend-value]')
  await expect(value).not.toHaveText('—')
  const first = Number(await value.textContent())
  await expect.poll(async () => Number(await value.textContent())).toBeGreaterThan(first)
  // 200 ± 50 ms each way: the round trip alone marks the link degraded.
  const quality = page.getByLabel('Link quality')
  await expect(quality).toHaveAttribute('data-degraded', 'true')
  // The console measures the link, not a guess: its round trip is never below what the proxy holds a
  // ping and its pong for (2 × (latency − jitter)). A floor, so a slow machine cannot fail it.
  const { latency_ms, jitter_ms } = PROFILES.stressed.server_to_client
  await expect.poll(async () => Number((await quality.textContent())?.match(/rtt (\d+)/)?.[1] ?? 0)).toBeGreaterThanOrEqual(2 * (latency_ms - jitter_ms))
})

test('shows the lost state when the link is cut and recovers by itself', async ({ page }) => {
  await page.goto(netsim.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await netsim.disconnect()
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('lost, retrying in')
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected', { timeout: 15_000 })
  await expect(page.getByRole('log')).toContainText('link lost: connection lost')
})
