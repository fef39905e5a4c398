// Series and axis colours per theme: series distinct on the theme's background (3:1 or more), in a stable order.
import type { ResolvedTheme } from '../../store/store'

const PALETTES: Record<ResolvedTheme, readonly string[]> = {
  dark: ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#fff176', '#4db6ac', '#e57373', '#90a4ae', '#aed581'],
  light: ['#0b6aa2', '#b35c00', '#2e7d32', '#c2185b', '#7b1fa2', '#806400', '#00796b', '#c62828', '#455a64', '#4f7d22']
}

export function seriesColor(index: number, theme: ResolvedTheme = 'dark'): string {
  const palette = PALETTES[theme]
  return palette[index % palette.length]!
}

/** The plot's axis, grid and tick colours, from the theme's CSS variables. */
export function axisColors(): { axis: string; grid: string; tick: string } {
  const style = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback
  return { axis: v('--plot-axis', '#8b93a7'), grid: v('--plot-grid', '#252a35'), tick: v('--plot-tick', '#2d3340') }
}
