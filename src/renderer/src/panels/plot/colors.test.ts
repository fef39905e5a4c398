import { describe, expect, it } from 'vitest'
import { PALETTES, SignalColors } from './colors'

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number]
const linear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
const luminance = (hex: string): number => {
  const [r, g, b] = rgb(hex).map(linear) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}
/** Distance in OKLab: about 0.02 is the smallest difference people see; the palette keeps 0.065 or more. */
const oklabDistance = (a: string, b: string): number => {
  const lab = (hex: string): number[] => {
    const [r, g, b2] = rgb(hex).map(linear) as [number, number, number]
    const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b2)
    const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b2)
    const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b2)
    return [0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s, 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s, 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s]
  }
  const [p, q] = [lab(a), lab(b)]
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!)
}

// The theme backgrounds a series is drawn or swatched on (styles.css: --panel, --bg, --panel-2).
const BACKGROUNDS = { dark: ['#161a22', '#0f1115', '#1c212b'], light: ['#ffffff', '#f4f5f7', '#eef0f3'] } as const

describe('the series palette', () => {
  for (const theme of ['dark', 'light'] as const) {
    it(`has at least 20 colours in the ${theme} theme, each 3:1 or more on its backgrounds and far enough from every other`, () => {
      const palette = PALETTES[theme]
      expect(palette.length).toBeGreaterThanOrEqual(20)
      expect(new Set(palette).size).toBe(palette.length)
      for (const c of palette) for (const bg of BACKGROUNDS[theme]) expect(contrast(c, bg), `${c} on ${bg}`).toBeGreaterThanOrEqual(3)
      for (let i = 0; i < palette.length; i++) {
        for (let j = i + 1; j < palette.length; j++) expect(oklabDistance(palette[i]!, palette[j]!), `${palette[i]} and ${palette[j]}`).toBeGreaterThanOrEqual(0.065)
      }
    })
  }
})

describe('signal colours', () => {
  it('give a signal the same colour in every panel, whichever panel asks first and in whatever order', () => {
    const colors = new SignalColors()
    // Two plots and an XY trace, asking as they are built.
    const plotA = ['vehicle.position.x', 'pid_x.setpoint'].map((n) => colors.colorOf(n, 'dark'))
    const plotB = ['pid_x.output', 'vehicle.position.x', 'pid_x.setpoint'].map((n) => colors.colorOf(n, 'dark'))
    const xy = colors.colorOf('vehicle.position.x', 'dark')
    expect(plotB[1]).toBe(plotA[0])
    expect(plotB[2]).toBe(plotA[1])
    expect(xy).toBe(plotA[0])
    // A rebuilt plot (a theme change, a signal removed) keeps the slot; the theme only picks the shade.
    expect(colors.slotOf('pid_x.setpoint')).toBe(1)
    expect(colors.colorOf('pid_x.setpoint', 'light')).toBe(PALETTES.light[1])
  })

  it('give the first 20 signals used 20 different colours', () => {
    const colors = new SignalColors()
    const names = Array.from({ length: 20 }, (_, i) => `m.s${i}`)
    for (const theme of ['dark', 'light'] as const) expect(new Set(names.map((n) => colors.colorOf(n, theme))).size).toBe(20)
  })
})
