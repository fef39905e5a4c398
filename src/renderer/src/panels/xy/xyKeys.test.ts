import { describe, expect, it } from 'vitest'
import { CURSOR_STEPS } from '../plot/plotKeys'
import { XY_PAN_SHARE, xyKey } from './xyKeys'

describe('XY plot keyboard', () => {
  const range: [number, number] = [0, 10]

  it('moves the cursor along the trail in time, from the newest sample', () => {
    expect(xyKey('ArrowLeft', false, range, null)).toEqual({ cursor: 10 - 10 / CURSOR_STEPS })
    expect(xyKey('ArrowRight', false, range, 5)).toEqual({ cursor: 5 + 10 / CURSOR_STEPS })
    expect(xyKey('Home', false, range, 5)).toEqual({ cursor: 0 })
    expect(xyKey('End', false, range, 5)).toEqual({ cursor: 10 })
  })

  it('pans the plane with Shift+arrows and zooms with plus and minus', () => {
    expect(xyKey('ArrowLeft', true, range, 5)).toEqual({ pan: [-XY_PAN_SHARE, 0] })
    expect(xyKey('ArrowUp', true, range, 5)).toEqual({ pan: [0, XY_PAN_SHARE] })
    expect(xyKey('ArrowDown', true, range, 5)).toEqual({ pan: [0, -XY_PAN_SHARE] })
    expect(xyKey('+', false, range, 5)).toEqual({ zoom: 0.8 })
    expect(xyKey('-', false, range, 5)).toEqual({ zoom: 1.25 })
  })

  it('goes back to live with L or Escape, and ignores other keys and an empty trail', () => {
    expect(xyKey('L', false, range, null)).toEqual({ live: true })
    expect(xyKey('Escape', false, range, null)).toEqual({ live: true })
    expect(xyKey('x', false, range, null)).toBeNull()
    expect(xyKey('ArrowLeft', false, [3, 3], null)).toBeNull()
  })
})
