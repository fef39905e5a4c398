// What every console spec does first: open the console on a server and wait for the link, plot a signal
// from the tree, keep a screenshot with the report.
import { expect, type Page, type TestInfo } from '@playwright/test'

/** Opens the console served at `url` and waits until it is connected; a page error on the way fails. */
export async function openConsole(page: Page, url: string): Promise<void> {
  const errors: string[] = []
  const onError = (e: Error): void => void errors.push(e.message)
  page.on('pageerror', onError)
  await page.goto(url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  page.off('pageerror', onError)
  expect(errors).toEqual([])
}

/** Finds `signal` with the tree's search and plots it (on the active plot, or a new one), then clears the search. */
export async function plotSignal(page: Page, signal: string): Promise<void> {
  const search = page.getByRole('searchbox', { name: 'Search signals' })
  await search.fill(signal)
  await page.getByRole('button', { name: `Plot ${signal}`, exact: true }).click()
  await search.fill('')
}

/** A screenshot under the test's output folder, attached to the report. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}

/** The two window sizes operators use (docs/console.md), each screenshotted once the layout settled. */
export const OPERATOR_SIZES = [
  { width: 1280, height: 720 },
  { width: 1600, height: 1000 }
] as const

export async function screenshotsAtOperatorSizes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  for (const size of OPERATOR_SIZES) {
    await page.setViewportSize(size)
    // Panels resize on the next frames (ResizeObserver, then the plots' redraw).
    await page.waitForTimeout(400)
    await screenshot(page, testInfo, `${name}-${size.width}x${size.height}`)
  }
}
