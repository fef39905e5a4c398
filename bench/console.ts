/// <reference lib="dom" />
// Console rendering benchmark, driven by Playwright in headless Chromium: 64 signals across 8 plot panels
// at 60 Hz with a 10-minute window whose history is already full; frame times and heap growth.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright'
import { freePort } from '../e2e/engine'
import { printTable } from './table'
import '../src/shared/diagnostics'

const ROOT = join(__dirname, '..')
const SIGNALS = 64
const PANELS = 8
const MEASURE_S = 40

function config(): string {
  const modules = Array.from({ length: SIGNALS }, (_, i) => `  g${i}: { type: inproc, model: signal_generator, options: { waveform: ${i % 4 === 3 ? 'noise' : 'sine'}, frequency: ${0.05 + i * 0.01}, amplitude: ${1 + (i % 5)}, seed: ${i + 1} } }`)
  const file = join(mkdtempSync(join(tmpdir(), 'hermes-bench-')), 'console.yaml')
  writeFileSync(file, ['modules:', ...modules, 'execution: { mode: realtime, rate_hz: 120, start_paused: true }', 'server: { enabled: true, telemetry_hz: 60 }', ''].join('\n'))
  return file
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

async function scenario(windowS: number): Promise<void> {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('the console is not built: run npm run build first')
  const port = await freePort()
  const engine = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'run', config(), '--port', String(port)], { env: { ...process.env, HERMES_LOG: 'warn' } })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (b: Buffer): void => {
      output += b.toString()
      if (output.includes('serving')) resolve()
    }
    engine.stderr.on('data', onData)
    engine.once('exit', (code) => reject(new Error(`engine exited ${code}: ${output}`)))
  })
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync)
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
    const panels = Array.from({ length: PANELS }, (_, p) => ({
      id: `panel-${p + 1}`,
      kind: 'plot',
      title: `Plot ${p + 1}`,
      signals: Array.from({ length: SIGNALS / PANELS }, (_, k) => `g${p * (SIGNALS / PANELS) + k}.out`)
    }))
    // The window's own workspace, as the console keeps it (src/renderer/src/workspace/persistence.ts).
    const stored = { config: null, layout: { format: 'hermes-console.layout', version: 1, panels, dock: null, activePanel: 'panel-1', windowS, expanded: [], eventsOpen: false } }
    await page.addInitScript((l) => sessionStorage.setItem('hermes-console.workspace', JSON.stringify(l)), stored)
    await page.goto(`http://127.0.0.1:${port}/`)
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: /^connected$/ }).waitFor()
    await page.waitForFunction(() => (window.hermesConsole?.telemetry.history.signals.length ?? 0) > 0)
    // Fill the whole 10-minute history before the run starts, as if it had been running for hours.
    const filled = await page.evaluate(() => {
      const t = window.hermesConsole!.telemetry
      const h = t.history
      const row = new Float64Array(h.signals.length)
      const n = h.capacity
      for (let k = 0; k < n; k++) {
        const time = (k - n) / 60
        for (let i = 0; i < row.length; i++) row[i] = Math.sin(time * (0.3 + i * 0.05)) * (1 + (i % 5))
        t.append(time, row)
      }
      return { samples: h.length, signals: h.signals.length }
    })
    await page.getByRole('button', { name: 'Resume', exact: true }).click()
    await page.waitForTimeout(5000)
    const cdp = await page.context().newCDPSession(page)
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage')
      return (await cdp.send('Runtime.getHeapUsage')).usedSize
    }
    const heapBefore = await heap()
    const startFrame = await page.evaluate(() => window.hermesConsole!.frameCount())
    // Heap is sampled mid-way too: warm-up (JIT, caches) may add a little once; steady state must not grow.
    await page.waitForTimeout((MEASURE_S * 1000) / 2)
    const heapMiddle = await heap()
    await page.waitForTimeout((MEASURE_S * 1000) / 2)
    const timings = await page.evaluate((from) => {
      const d = window.hermesConsole!
      const to = d.frameCount()
      const size = d.frameIntervals.length
      const intervals: number[] = []
      const draws: number[] = []
      for (let f = Math.max(from, to - size); f < to; f++) {
        intervals.push(d.frameIntervals[f % size]!)
        draws.push(d.drawTimes[f % size]!)
      }
      return { intervals, draws, samples: d.telemetry.history.length }
    }, startFrame)
    const heapAfter = await heap()
    const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`
    const growth = heapAfter - heapMiddle
    const frameMs = 1000 / 60
    const dropped = timings.intervals.filter((i) => i > frameMs * 1.5).length / timings.intervals.length
    printTable(
      `Console rendering: ${SIGNALS} signals in ${PANELS} plots, 60 Hz telemetry, ${windowS} s live window, history full (${filled.samples.toLocaleString('en-US')} samples x ${filled.signals} signals); ${MEASURE_S} s in headless Chromium, software rendering`,
      ['measure', 'value', 'target', ''],
      [
        ['animation frames measured', String(timings.intervals.length), '', ''],
        ['frame time (drawing all panels) p50', `${quantile(timings.draws, 0.5).toFixed(2)} ms`, '', ''],
        ['frame time (drawing all panels) p95', `${quantile(timings.draws, 0.95).toFixed(2)} ms`, '< 16 ms', quantile(timings.draws, 0.95) < 16 ? 'met' : 'MISSED'],
        ['frame time (drawing all panels) max', `${Math.max(...timings.draws).toFixed(2)} ms`, '', ''],
        ['frame interval p50 / p95', `${quantile(timings.intervals, 0.5).toFixed(1)} / ${quantile(timings.intervals, 0.95).toFixed(1)} ms`, '16.7 ms at 60 fps', ''],
        ['frames dropped (interval > 25 ms)', `${(dropped * 100).toFixed(1)} %`, '', ''],
        ['heap after GC: start / middle / end', `${mb(heapBefore)} / ${mb(heapMiddle)} / ${mb(heapAfter)}`, '', ''],
        [`heap growth over the last ${MEASURE_S / 2} s`, mb(growth), 'none (< 0.5 MB)', growth < 5e5 ? 'met' : 'MISSED']
      ]
    )
  } finally {
    await browser.close()
    engine.kill('SIGTERM')
  }
}

export async function consoleBench(): Promise<void> {
  // The longest window redraws when data reaches a new pixel column; the shortest redraws every frame.
  await scenario(600)
  await scenario(10)
}
