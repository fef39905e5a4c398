/// <reference lib="dom" />
// Console benchmark, driven by Playwright in headless Chromium (software rendering) against the real
// engine: plots at 60 Hz telemetry (one busy plot, eight plots at the shortest and the longest window),
// storage writes while the run streams, and search in the signal tree at 1,000 and 10,000 signals.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright'
import { freePort } from '../e2e/engine'
import { printTable } from './table'
import '../src/shared/diagnostics'

const ROOT = join(__dirname, '..')
const MEASURE_S = 20
const FRAME_MS = 1000 / 60

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

function writeConfig(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hermes-bench-')), 'console.yaml')
  writeFileSync(file, [...lines, 'execution: { mode: realtime, rate_hz: 120, start_paused: true }', 'server: { enabled: true, telemetry_hz: 60 }', ''].join('\n'))
  return file
}

/** `count` signal generators, one signal each (g<i>.out). */
function generators(count: number): string {
  return writeConfig(['modules:', ...Array.from({ length: count }, (_, i) => `  g${i}: { type: inproc, model: signal_generator, options: { waveform: ${i % 4 === 3 ? 'noise' : 'sine'}, frequency: ${0.05 + i * 0.01}, amplitude: ${1 + (i % 5)}, seed: ${i + 1} } }`)])
}

/** `modules` modules of `each` held signals (m<i>.s<k>): a large tree. */
function manySignals(modules: number, each: number): string {
  const lines = ['modules:']
  for (let m = 0; m < modules; m++) {
    lines.push(`  m${m}:`, '    type: inproc', '    model: injection', '    signals:')
    for (let k = 0; k < each; k++) lines.push(`      - { name: s${k}, type: f64 }`)
  }
  return writeConfig(lines)
}

/**
 * CPU time of the console's main thread (thread time, not wall time: it holds on a busy machine) while
 * `during` runs, from a Chromium trace: the sum over its top-level tasks.
 */
async function mainThreadCpuMs(browser: Browser, page: Page, during: () => Promise<void>): Promise<number> {
  await browser.startTracing(page, { categories: ['toplevel', 'disabled-by-default-devtools.timeline'] })
  await during()
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: Array<{ name: string; ph: string; pid: number; tid: number; tdur?: number; args?: { name?: string } }> }
  const main = new Set(trace.traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  let us = 0
  for (const e of trace.traceEvents) if (e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`)) us += e.tdur ?? 0
  return us / 1000
}

async function startEngine(config: string): Promise<{ port: number; engine: ChildProcess }> {
  const port = await freePort()
  const engine = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'run', config, '--port', String(port)], { env: { ...process.env, HERMES_LOG: 'warn' } })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    engine.stderr!.on('data', (b: Buffer) => {
      output += b.toString()
      if (output.includes('serving')) resolve()
    })
    engine.once('exit', (code) => reject(new Error(`engine exited ${code}: ${output}`)))
  })
  return { port, engine }
}

async function withConsole<T>(browser: Browser, config: string, layout: object | null, body: (page: Page) => Promise<T>): Promise<T> {
  const { port, engine } = await startEngine(config)
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
  try {
    // The window's own workspace, as the console keeps it (src/renderer/src/workspace/persistence.ts).
    if (layout) await page.addInitScript((l) => sessionStorage.setItem('hermes-console.workspace', JSON.stringify(l)), { config: null, layout })
    await page.goto(`http://127.0.0.1:${port}/`)
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: /^connected$/ }).waitFor()
    await page.waitForFunction(() => (window.hermesConsole?.telemetry.history.signals.length ?? 0) > 0)
    return await body(page)
  } finally {
    await page.close()
    engine.kill('SIGTERM')
  }
}

interface PlotCase {
  name: string
  signals: number
  panels: number
  windowS: number
  /** Fill the whole 10-minute history first, as if the run had gone on for hours. */
  fill: boolean
  /** The other views beside the plots: an XY panel, a table of every signal, 16 derived signals. */
  views?: boolean
}

async function plotCase(browser: Browser, c: PlotCase): Promise<string[][]> {
  const perPanel = c.signals / c.panels
  const panels = Array.from({ length: c.panels }, (_, p) => ({
    id: `panel-${p + 1}`,
    kind: 'plot',
    title: `Plot ${p + 1}`,
    signals: Array.from({ length: perPanel }, (_, k) => `g${p * perPanel + k}.out`)
  }))
  const all = Array.from({ length: c.signals }, (_, i) => `g${i}.out`)
  const derived = c.views ? Array.from({ length: 16 }, (_, i) => ({ name: `d${i}`, expression: `hypot(g${i}.out, g${i + 16}.out) * 2 + ${i}`, unit: '' })) : []
  const views = c.views
    ? [
        { id: 'xy', kind: 'xy', title: 'XY', signals: ['g0.out', 'g1.out', 'g2.out', 'g3.out'], options: { traces: [{ x: 'g0.out', y: 'g1.out' }, { x: 'g2.out', y: 'g3.out' }] } },
        { id: 'table', kind: 'table', title: 'Table', signals: all },
        { id: 'derived', kind: 'plot', title: 'Derived', signals: derived.map((d) => d.name) }
      ]
    : []
  const layout = { format: 'hermes-console.layout', version: 1, panels: [...panels, ...views], dock: null, activePanel: 'panel-1', windowS: c.windowS, expanded: [], eventsOpen: false, derived }
  return withConsole(browser, generators(c.signals), layout, async (page) => {
    if (c.fill) {
      await page.evaluate(() => {
        const t = window.hermesConsole!.telemetry
        const row = new Float64Array(t.history.signals.length)
        const n = t.history.capacity
        for (let k = 0; k < n; k++) {
          const time = (k - n) / 60
          for (let i = 0; i < row.length; i++) row[i] = Math.sin(time * (0.3 + i * 0.05)) * (1 + (i % 5))
          t.append(time, row)
        }
      })
    }
    await page.getByRole('button', { name: 'Resume', exact: true }).click()
    await page.waitForTimeout(5000)
    const cdp = await page.context().newCDPSession(page)
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage')
      return (await cdp.send('Runtime.getHeapUsage')).usedSize
    }
    const start = await page.evaluate(() => ({ frame: window.hermesConsole!.frameCount(), writes: window.hermesConsole!.storageWrites(), at: performance.now() }))
    // Heap is sampled mid-way: warm-up (JIT, caches) may add a little once; steady state must not grow.
    await page.waitForTimeout((MEASURE_S * 1000) / 2)
    const heapMiddle = await heap()
    await page.waitForTimeout((MEASURE_S * 1000) / 2)
    const m = await page.evaluate((from) => {
      const d = window.hermesConsole!
      const to = d.frameCount()
      const size = d.frameIntervals.length
      const intervals: number[] = []
      const draws: number[] = []
      for (let f = Math.max(from.frame, to - size); f < to; f++) {
        intervals.push(d.frameIntervals[f % size]!)
        draws.push(d.drawTimes[f % size]!)
      }
      return { intervals, draws, frames: to - from.frame, seconds: (performance.now() - from.at) / 1000, writes: d.storageWrites() - from.writes }
    }, start)
    const growth = (await heap()) - heapMiddle
    const traced = { frames: 0 }
    const cpu = await mainThreadCpuMs(browser, page, async () => {
      const from = await page.evaluate(() => window.hermesConsole!.frameCount())
      await page.waitForTimeout(5000)
      traced.frames = (await page.evaluate(() => window.hermesConsole!.frameCount())) - from
    })
    const cpuPerFrame = cpu / Math.max(1, traced.frames)
    const fps = m.frames / m.seconds
    const dropped = m.intervals.filter((i) => i > FRAME_MS * 1.5).length / m.intervals.length
    const p95 = quantile(m.draws, 0.95)
    return [
      [c.name, 'frames per second', fps.toFixed(1), '>= 50', fps >= 50 ? 'met' : 'MISSED'],
      ['', 'main-thread CPU per frame (thread time)', `${cpuPerFrame.toFixed(2)} ms`, '< 20 ms (50 fps)', cpuPerFrame < 20 ? 'met' : 'MISSED'],
      ['', 'frame time p50 / p95', `${quantile(m.draws, 0.5).toFixed(2)} / ${p95.toFixed(2)} ms`, 'p95 < 16 ms', p95 < 16 ? 'met' : 'MISSED'],
      ['', 'frame interval p50 / p95', `${quantile(m.intervals, 0.5).toFixed(1)} / ${quantile(m.intervals, 0.95).toFixed(1)} ms`, '16.7 ms', ''],
      ['', 'frames dropped (interval > 25 ms)', `${(dropped * 100).toFixed(1)} %`, '', ''],
      ['', 'storage writes per second', (m.writes / m.seconds).toFixed(2), '0', m.writes === 0 ? 'met' : 'MISSED'],
      ['', `heap growth over the last ${MEASURE_S / 2} s`, `${(growth / 1e6).toFixed(2)} MB`, '< 0.5 MB', growth < 5e5 ? 'met' : 'MISSED']
    ]
  })
}

/** Types a query into the tree's search box one key at a time, then deletes it: the work per keystroke. */
async function searchCase(browser: Browser, modules: number, each: number): Promise<string[][]> {
  const total = modules * each
  return withConsole(browser, manySignals(modules, each), null, async (page) => {
    await page.waitForFunction((n) => window.hermesConsole!.telemetry.history.signals.length >= Math.min(n, 256) || document.querySelectorAll('[role=treeitem]').length > 0, total)
    const query = `m${modules - 3}.s${each - 7}`
    const values: string[] = []
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= query.length; i++) values.push(query.slice(0, i))
      for (let i = query.length - 1; i >= 0; i--) values.push(query.slice(0, i))
    }
    // No named functions inside: tsx would wrap them in a helper the page does not have.
    let times: number[] = []
    const cpu = await mainThreadCpuMs(browser, page, async () => {
      times = await page.evaluate(async (keys) => {
      const box = document.querySelector<HTMLInputElement>('input[aria-label="Search signals"]')!
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
      const out: number[] = []
      for (const value of keys) {
        const started = performance.now()
        setValue.call(box, value)
        box.dispatchEvent(new Event('input', { bubbles: true }))
        // React commits a discrete input synchronously; reading layout makes the browser do its part too.
        void document.body.offsetHeight
        out.push(performance.now() - started)
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      }
      return out
    }, values)
    })
    // What the page spends in as long with no key pressed (telemetry, timers, frames): not the search's cost.
    const spanMs = times.length * 20
    const idle = await mainThreadCpuMs(browser, page, () => page.waitForTimeout(spanMs))
    const perKey = Math.max(0, cpu - idle) / values.length
    // Expand all and collapse all: the click's own work, React's commit and the layout it causes.
    const toggles = await page.evaluate(async () => {
      const out: number[] = []
      for (const label of ['Expand all', 'Collapse all', 'Expand all', 'Collapse all']) {
        const button = document.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)!
        const started = performance.now()
        button.click()
        void document.body.offsetHeight
        out.push(performance.now() - started)
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      }
      return out
    })
    const rows = await page.locator('[role=treeitem]').count()
    const p95 = quantile(times, 0.95)
    return [
      [
        `tree search, ${total.toLocaleString('en-US')} signals`,
        `per keystroke p50 / p95 / max (${times.length} keys, "${query}")`,
        `${quantile(times, 0.5).toFixed(2)} / ${p95.toFixed(2)} / ${Math.max(...times).toFixed(2)} ms`,
        'p95 < 16 ms',
        p95 < 16 ? 'met' : 'MISSED'
      ],
      ['', 'main-thread CPU per keystroke (thread time, less the idle page)', `${perKey.toFixed(2)} ms`, '< 16 ms', perKey < 16 ? 'met' : 'MISSED'],
      ['', 'expand all / collapse all (worst of two each)', `${Math.max(toggles[0]!, toggles[2]!).toFixed(1)} / ${Math.max(toggles[1]!, toggles[3]!).toFixed(1)} ms`, '', ''],
      ['', 'tree rows in the document afterwards', String(rows), 'virtualised', '']
    ]
  })
}

export async function consoleBench(): Promise<void> {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('the console is not built: run npm run build first')
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync)
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] })
  try {
    const only = process.env.CONSOLE_BENCH_CASES?.split(',')
    const cases: PlotCase[] = [
      { name: '32 signals, 1 plot, 10 s window', signals: 32, panels: 1, windowS: 10, fill: false },
      { name: '64 signals, 8 plots, 10 s window', signals: 64, panels: 8, windowS: 10, fill: false },
      { name: '64 signals, 8 plots, 10 min window, history full', signals: 64, panels: 8, windowS: 600, fill: true },
      { name: '64 signals in 4 plots, an XY panel, a 64-row table, 16 derived signals plotted, 10 s window', signals: 64, panels: 4, windowS: 10, fill: false, views: true }
    ]
    const rows: string[][] = []
    for (const [i, c] of cases.entries()) if (!only || only.includes(String(i + 1))) rows.push(...(await plotCase(browser, c)))
    if (!only || only.includes('search')) {
      rows.push(...(await searchCase(browser, 10, 100)))
      rows.push(...(await searchCase(browser, 100, 100)))
    }
    printTable(`Console at 1600x1000: 60 Hz telemetry, ${MEASURE_S} s measured per plot case; headless Chromium, software rendering`, ['case', 'measure', 'value', 'target', ''], rows)
  } finally {
    await browser.close()
  }
}
