// What a new user meets: the demo opens on its own layout with data moving before any click, and every
// text and control in both themes meets WCAG contrast (4.5:1 for text, 3:1 for control outlines).
import { expect, test, type Page } from '@playwright/test'
import { Engine } from './engine'

let engine: Engine

test.beforeAll(async () => {
  engine = await Engine.start('resources/examples/demo.yaml')
})

test.afterAll(async () => {
  await engine.stop()
})

test('the demo opens on position against setpoint in x and y, the controller outputs and the disturbance to set, moving with no click', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(engine.url)
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
  for (const title of ['Position x against its setpoint', 'Position y against its setpoint', 'Controller outputs', 'Push the vehicle']) await expect(page.getByRole('region', { name: title })).toBeVisible()
  const value = page.locator('.legend tr[data-signal="vehicle.position.y"] [data-testid=legend-value]')
  await expect(value).not.toHaveText('—')
  const first = await value.textContent()
  await expect.poll(() => value.textContent(), { timeout: 15_000 }).not.toBe(first)
  await expect(page.getByRole('region', { name: 'Push the vehicle' }).getByText('disturbance.force.x')).toBeVisible()
  const path = testInfo.outputPath('first-screen.png')
  await page.screenshot({ path })
  await testInfo.attach('first screen', { path, contentType: 'image/png' })
})

interface Failure {
  what: string
  ratio: number
  needed: number
}

/** Every visible text's colour against its painted background, and every control's outline against what is around it. */
function contrastFailures(page: Page): Promise<Failure[]> {
  return page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/rgba?\(([^)]+)\)/)
      if (!m) return [0, 0, 0, 0]
      const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number)
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1]
    }
    const luminance = ([r, g, b]: number[]): number => {
      const lin = (v: number): number => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!)
    }
    const ratio = (a: number[], b: number[]): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
      return (hi! + 0.05) / (lo! + 0.05)
    }
    const over = (fg: number[], bg: number[]): number[] => [0, 1, 2].map((i) => fg[i]! * fg[3]! + bg[i]! * (1 - fg[3]!))
    // The colour actually behind an element: its own and its ancestors' backgrounds, composited.
    const background = (el: Element | null): number[] => {
      const layers: number[][] = []
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor)
        if (c[3] > 0) layers.push(c)
        if (c[3] >= 1) break
      }
      let bg = [255, 255, 255]
      for (const layer of layers.reverse()) bg = over(layer, bg)
      return bg
    }
    const visible = (el: Element): boolean => {
      const r = el.getBoundingClientRect()
      const s = getComputedStyle(el)
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.opacity !== '0' && !el.closest('.sr-only, [aria-hidden=true]')
    }
    const failures: { what: string; ratio: number; needed: number }[] = []
    const name = (el: Element): string => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (!visible(el) || el.closest('canvas, .u-wrap')) continue
      const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '')
      const bg = background(el)
      if (ownText && !(el as HTMLButtonElement).disabled) {
        const fg = parse(getComputedStyle(el).color)
        const r = ratio(over(fg, bg), bg)
        if (r < 4.5) failures.push({ what: `text ${name(el)}`, ratio: Number(r.toFixed(2)), needed: 4.5 })
      }
      if (el.matches('button:not(:disabled), input, select')) {
        const s = getComputedStyle(el)
        const border = parse(s.borderTopColor)
        if (parseFloat(s.borderTopWidth) > 0 && border[3] > 0) {
          const around = background(el.parentElement)
          const r = Math.max(ratio(over(border, around), around), ratio(background(el), around))
          if (r < 3) failures.push({ what: `control ${name(el)}`, ratio: Number(r.toFixed(2)), needed: 3 })
        }
      }
    }
    return failures
  })
}

for (const theme of ['dark', 'light'] as const) {
  test(`in the ${theme} theme every text reaches 4.5:1 and every control outline 3:1`, async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1600, height: 1000 })
    await page.emulateMedia({ colorScheme: theme })
    await page.goto(engine.url)
    await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    await expect(page.locator('.legend tr[data-signal="vehicle.position.x"] [data-testid=legend-value]')).not.toHaveText('—')
    const path = testInfo.outputPath(`${theme}.png`)
    await page.screenshot({ path })
    await testInfo.attach(theme, { path, contentType: 'image/png' })
    expect(await contrastFailures(page)).toEqual([])
  })
}
