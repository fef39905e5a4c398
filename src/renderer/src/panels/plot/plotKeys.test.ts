import { describe, expect, it } from 'vitest'
import { CURSOR_STEPS, plotKey } from './plotKeys'

describe('plot keyboard', () => {
  const range: [number, number] = [0, 10]

  it('moves the cursor a step at a time inside the view, starting from the newest edge', () => {
    expect(plotKey('ArrowLeft', false, range, null)).toEqual({ cursor: 10 - 10 / CURSOR_STEPS })
    expect(plotKey('ArrowRight', false, range, 5)).toEqual({ cursor: 5 + 10 / CURSOR_STEPS })
    expect(plotKey('ArrowRight', false, range, 10)).toEqual({ cursor: 10 })
    expect(plotKey('Home', false, range, 5)).toEqual({ cursor: 0 })
    expect(plotKey('End', false, range, 5)).toEqual({ cursor: 10 })
  })

  it('pans with Shift and zooms around the cursor', () => {
    expect(plotKey('ArrowRight', true, range, 5)).toEqual({ view: [1, 11], cursor: 6 })
    expect(plotKey('ArrowLeft', true, range, 5)).toEqual({ view: [-1, 9], cursor: 4 })
    expect(plotKey('+', false, range, 5)).toEqual({ view: [1, 9], cursor: 5 })
    expect(plotKey('-', false, range, 5)).toEqual({ view: [-1.25, 11.25], cursor: 5 })
  })

  it('goes back to live, and ignores other keys and an empty range', () => {
    expect(plotKey('l', false, range, null)).toEqual({ live: true })
    expect(plotKey('x', false, range, null)).toBeNull()
    expect(plotKey('ArrowLeft', false, [3, 3], null)).toBeNull()
  })
})
