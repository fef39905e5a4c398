// The console's results view in Chromium: a table written by a real `hermes sweep` (keep: recording),
// opened with Results…, shown as a sortable table, a scatter and a histogram; selecting a run marks it,
// and opening it in a browser shows the exact `hermes replay` command. Also 10,000 runs, and a bad file.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { Engine } from './engine'
import { screenshotsAtOperatorSizes } from './console'

const ROOT = join(__dirname, '..')
let engine: Engine
let results = ''

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-results-e2e-'))
  const file = join(dir, 'study.yaml')
  writeFileSync(
    file,
    [
      `config: ${join(ROOT, 'resources', 'examples', 'demo.yaml')}`,
      'run: { end_time: 1 }',
      'seed: 3',
      'samples: 2',
      'parameters:',
      '  modules.pid_x.options.kp: { grid: [6, 12] }',
      '  modules.vehicle.options.mass: { uniform: { min: 1.5, max: 2.5 } }',
      'metrics:',
      '  peak: max_abs(vehicle.position.x)',
      '  rms_out: rms(pid_x.output)',
      'keep: recording'
    ].join('\n')
  )
  const sweep = spawnSync(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'sweep', file, '--jobs', '2', '--no-progress'], { encoding: 'utf8', env: { ...process.env, HERMES_LOG: 'warn' } })
  if (sweep.status !== 0) throw new Error(`hermes sweep failed: ${sweep.stderr}`)
  results = join(dir, 'study.results')
  engine = await Engine.start('resources/examples/demo.yaml')
})

test.afterAll(async () => {
  await engine?.stop()
})

async function shots(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    await screenshotsAtOperatorSizes(page, testInfo, `${name}-${theme}`)
  }
}

test('opens a real sweep\'s Parquet table: runs, scatter, histogram; a selected run is marked and its recording named by the exact replay command', async ({ page }, testInfo) => {
  await page.goto(engine.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  await page.getByTestId('results-file').setInputFiles(join(results, 'results.parquet'))
  const view = page.getByRole('dialog', { name: 'Results: results.parquet' })
  await expect(view).toBeVisible()
  await expect(view.getByText('4 runs')).toBeVisible()
  const rows = view.locator('.results-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.first()).toHaveAttribute('data-run', '0')
  await expect(view.getByTestId('xy-results-scatter').locator('canvas')).toBeVisible()
  await expect(view.getByTestId('results-histogram')).toHaveAttribute('aria-label', /^Histogram of rms_out: 4 runs in \d+ bins/)
  await expect(view.getByLabel('Scatter X')).toHaveValue('modules.pid_x.options.kp')
  await expect(view.getByLabel('Scatter Y')).toHaveValue('rms_out')

  // Sorting by peak, descending: the rows follow the numbers.
  const peakHeader = view.getByRole('columnheader', { name: /peak/ })
  await peakHeader.getByRole('button').click()
  await peakHeader.getByRole('button').click()
  await expect(peakHeader).toHaveAttribute('aria-sort', 'descending')
  const csv = readFileSync(join(results, 'results.csv'), 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(','))
  const byPeak = [...csv].sort((a, b) => Number(b[3]) - Number(a[3])).map((r) => r[0])
  await expect(rows).toHaveCount(4)
  expect(await rows.evaluateAll((els) => els.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((e) => e.getAttribute('data-run')))).toEqual(byPeak)

  // The keyboard: the table takes Up and Down; the scatter steps through runs with Left and Right.
  await view.getByTestId('results-rows').focus()
  await page.keyboard.press('ArrowDown')
  await expect(view.locator('.results-row[aria-selected="true"]')).toHaveAttribute('data-run', byPeak[0]!)
  const first = Number(byPeak[0])
  const next = first < 3 ? first + 1 : first - 1
  await view.getByTestId('xy-results-scatter').focus()
  await page.keyboard.press(first < 3 ? 'ArrowRight' : 'ArrowLeft')
  await expect(view.locator('.results-row[aria-selected="true"]')).toHaveAttribute('data-run', String(next))
  await expect(view.getByTestId('results-detail')).toContainText(`Run ${next}: ok`)

  // Clicking a run, then opening it: a browser shows the command, with why.
  await rows.filter({ has: page.locator('[role="cell"]', { hasText: /^3$/ }) }).first().click()
  await expect(view.getByTestId('results-detail')).toContainText('Run 3: ok')
  await view.getByRole('button', { name: 'Open recording' }).click()
  await expect(view.getByTestId('results-command')).toHaveText('hermes replay runs/00000003.mcap')
  await expect(view.getByTestId('results-open')).toContainText('A browser cannot start a replay server')
  await expect(view.getByRole('button', { name: 'Copy' })).toBeVisible()
  await shots(page, testInfo, 'results')
  await page.keyboard.press('Escape')
  await expect(view).toHaveCount(0)
})

test('10,000 runs stay usable (only the rows in view are drawn), and a file that is not a results table is refused with the reason', async ({ page }) => {
  await page.goto(engine.url)
  const lines = ['index,kp,peak,status,error,wall_s', ...Array.from({ length: 10_000 }, (_, i) => `${i},${i % 7},${Math.sin(i)},ok,,0.01`)]
  await page.getByTestId('results-file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) })
  const view = page.getByRole('dialog', { name: 'Results: big.csv' })
  await expect(view.getByText('10000 runs')).toBeVisible()
  expect(await view.locator('.results-row').count()).toBeLessThan(100)
  await view.getByTestId('results-rows').focus()
  await page.keyboard.press('End')
  await expect(view.locator('.results-row[aria-selected="true"]')).toHaveAttribute('data-run', '9999')
  await view.getByRole('button', { name: 'Close' }).click()

  await page.getByTestId('results-file').setInputFiles({ name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\r\n1,2\r\n') })
  await expect(page.getByTestId('results-error')).toHaveText("notes.csv is not a results table: it has no 'index' or 'status' column, so it is not a results table of hermes sweep (its columns: a, b)")
})
