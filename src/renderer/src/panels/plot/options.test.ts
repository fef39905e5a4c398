import { describe, expect, it } from 'vitest'
import { readPlotOptions, toggleHidden } from './options'

describe('plot options', () => {
  it('read the hidden signals, and refuse what is not a list of names', () => {
    expect(readPlotOptions(undefined)).toEqual({ options: { hidden: [] }, errors: [] })
    expect(readPlotOptions({ hidden: ['a'] })).toEqual({ options: { hidden: ['a'] }, errors: [] })
    const bad = readPlotOptions({ hidden: 'a' })
    expect(bad.options).toEqual({ hidden: [] })
    expect(bad.errors[0]).toMatch(/^options\.hidden:/)
  })
})

describe('legend clicks', () => {
  const signals = ['a', 'b', 'c']
  it('hide a signal with a click and show it with another', () => {
    expect(toggleHidden(signals, [], 'b', false)).toEqual(['b'])
    expect(toggleHidden(signals, ['b'], 'b', false)).toEqual([])
  })

  it('solo a signal with Alt+click, and show all again with Alt+click on the soloed one', () => {
    expect(toggleHidden(signals, [], 'b', true)).toEqual(['a', 'c'])
    expect(toggleHidden(signals, ['a', 'c'], 'b', true)).toEqual([])
    // Alt+click on a hidden one solos it instead.
    expect(toggleHidden(signals, ['a', 'c'], 'a', true)).toEqual(['b', 'c'])
  })
})
