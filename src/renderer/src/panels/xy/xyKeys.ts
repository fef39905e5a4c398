// What a key does to a focused XY plot: move the cursor along the trail in time (as on a time plot),
// pan and zoom the plane, back to live. Pure, so the rules are tested without a browser.
import { plotKey } from '../plot/plotKeys'

export type XyKeyEffect =
  | { cursor: number }
  /** Pan by these shares of the visible width and height (positive: towards larger x, larger y). */
  | { pan: [number, number] }
  /** Zoom the view by this factor about its centre (below 1 zooms in). */
  | { zoom: number }
  | { live: true }
  | null

export const XY_PAN_SHARE = 0.1

/** `range` is the time range of the trail shown; `cursor` the shared cursor time. */
export function xyKey(key: string, shift: boolean, range: [number, number], cursor: number | null): XyKeyEffect {
  if (shift) {
    switch (key) {
      case 'ArrowLeft':
        return { pan: [-XY_PAN_SHARE, 0] }
      case 'ArrowRight':
        return { pan: [XY_PAN_SHARE, 0] }
      case 'ArrowUp':
        return { pan: [0, XY_PAN_SHARE] }
      case 'ArrowDown':
        return { pan: [0, -XY_PAN_SHARE] }
    }
  }
  switch (key) {
    case '+':
    case '=':
      return { zoom: 0.8 }
    case '-':
    case '_':
      return { zoom: 1.25 }
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'Home':
    case 'End': {
      const effect = plotKey(key, false, range, cursor)
      return effect && 'cursor' in effect && effect.cursor !== undefined ? { cursor: effect.cursor } : null
    }
    case 'l':
    case 'L':
    case 'Escape':
      return { live: true }
    default:
      return null
  }
}
