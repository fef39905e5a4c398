// What a key does to a focused plot: move the cursor, pan, zoom around the cursor, back to live.
// Pure, so the rules are tested without a browser; PlotPanel applies the result.

export type PlotKeyEffect =
  | { cursor: number }
  | { view: [number, number]; cursor?: number }
  | { live: true }
  | null

/** Steps a cursor move takes across the visible range, and the share of it one pan moves. */
export const CURSOR_STEPS = 100
export const PAN_SHARE = 0.1

export function plotKey(key: string, shift: boolean, range: [number, number], cursor: number | null): PlotKeyEffect {
  const [min, max] = range
  const span = max - min
  if (!(span > 0)) return null
  const at = cursor !== null && cursor >= min && cursor <= max ? cursor : max
  const step = span / CURSOR_STEPS
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowRight': {
      const sign = key === 'ArrowLeft' ? -1 : 1
      if (shift) {
        const shiftBy = span * PAN_SHARE * sign
        return { view: [min + shiftBy, max + shiftBy], cursor: at + shiftBy }
      }
      return { cursor: Math.min(max, Math.max(min, at + sign * step)) }
    }
    case 'Home':
      return { cursor: min }
    case 'End':
      return { cursor: max }
    case '+':
    case '=':
    case '-':
    case '_': {
      const factor = key === '+' || key === '=' ? 0.8 : 1.25
      return { view: [at - (at - min) * factor, at + (max - at) * factor], cursor: at }
    }
    case 'l':
    case 'L':
      return { live: true }
    default:
      return null
  }
}
