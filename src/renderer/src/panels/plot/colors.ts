// Series and axis colours per theme: 24 series colours distinct on the theme's background (3:1 or more),
// and each signal's colour fixed at its first use anywhere in the console, so it is the same in every panel.
import type { ResolvedTheme } from '../../store/store'

/**
 * The first ten (nine in the light theme, whose tenth green was too near its third) are the console's
 * original series colours; the rest were picked one at a time as the colour of an OKLCH grid farthest
 * (in OKLab) from every colour before it that still keeps 3.2:1 against the panel backgrounds.
 * colors.test.ts checks the contrast and the spacing.
 */
export const PALETTES: Record<ResolvedTheme, readonly string[]> = {
  dark: [
    '#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#fff176', '#4db6ac', '#e57373', '#90a4ae', '#aed581',
    '#f6c5f1', '#67f1e9', '#c2a140', '#f695ee', '#5efb8d', '#a497ea', '#edab9f', '#c8e928', '#54c138', '#b3b9f1',
    '#c791b4', '#7ecfc9', '#ecd69b', '#e76edf'
  ],
  light: [
    '#0b6aa2', '#b35c00', '#2e7d32', '#c2185b', '#7b1fa2', '#806400', '#00796b', '#c62828', '#455a64', '#956991',
    '#7d5be6', '#822b31', '#2936b7', '#b740b1', '#225c13', '#2773ee', '#64470e', '#6e519d', '#811968', '#94436d',
    '#603e68', '#5e7baa', '#5449d0', '#a61b86'
  ]
}

export function seriesColor(index: number, theme: ResolvedTheme = 'dark'): string {
  const palette = PALETTES[theme]
  return palette[index % palette.length]!
}

/**
 * Palette slots by signal name, handed out in order of first use across the whole console (every plot,
 * legend and XY trace asks here), so a signal keeps its colour in every panel and across rebuilds. The
 * first 24 signals used get 24 different colours; after that slots repeat.
 */
export class SignalColors {
  private readonly slots = new Map<string, number>()

  slotOf(name: string): number {
    let slot = this.slots.get(name)
    if (slot === undefined) {
      slot = this.slots.size
      this.slots.set(name, slot)
    }
    return slot
  }

  colorOf(name: string, theme: ResolvedTheme = 'dark'): string {
    return seriesColor(this.slotOf(name), theme)
  }
}

/** The console's one assignment (a second window is a second page with its own). */
export const signalColors = new SignalColors()

export function signalColor(name: string, theme: ResolvedTheme = 'dark'): string {
  return signalColors.colorOf(name, theme)
}

/** The plot's axis, grid and tick colours, from the theme's CSS variables. */
export function axisColors(): { axis: string; grid: string; tick: string } {
  const style = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback
  return { axis: v('--plot-axis', '#8b93a7'), grid: v('--plot-grid', '#252a35'), tick: v('--plot-tick', '#2d3340') }
}
