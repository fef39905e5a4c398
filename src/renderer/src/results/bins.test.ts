// Histogram bins and the table's sort order of a results table: edges, the last value's bin, empty cells.
import { describe, expect, it } from 'vitest'
import { histogram } from './bins'
import { sortedRows } from './order'

describe('results histogram and sort', () => {
  it('bins finite values by equal widths, the largest in the last bin, and counts what it leaves out', () => {
    const b = histogram(Float64Array.from([0, 1, 2, 3, 4, NaN, Infinity]), 4)
    expect([...b.edges]).toEqual([0, 1, 2, 3, 4])
    expect([...b.counts]).toEqual([1, 1, 1, 2])
    expect(b.skipped).toBe(2)
    const same = histogram(Float64Array.from([5, 5, 5]))
    expect([...same.counts]).toEqual([3])
    expect(histogram(Float64Array.from([NaN])).skipped).toBe(1)
  })

  it('sorts numbers either way with empty cells last, text by locale, ties by table order', () => {
    const numbers = { name: 'peak', kind: 'number' as const, numbers: Float64Array.from([2, NaN, 1, 2]), texts: ['2', '', '1', '2'] }
    expect([...sortedRows(numbers, 'ascending', 4)]).toEqual([2, 0, 3, 1])
    expect([...sortedRows(numbers, 'descending', 4)]).toEqual([0, 3, 2, 1])
    const text = { name: 'status', kind: 'text' as const, numbers: new Float64Array(3).fill(NaN), texts: ['ok', 'failed', 'ok'] }
    expect([...sortedRows(text, 'ascending', 3)]).toEqual([1, 0, 2])
  })
})
