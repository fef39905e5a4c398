import { describe, expect, it } from 'vitest'
import { History } from '../../telemetry/history'
import { formatFixed, TABLE_COLUMNS, tableOptions } from './tableOptions'
import { rateOf, TableStats } from './tableStats'

describe('signal table options', () => {
  it('default what is missing and replace only what does not check', () => {
    expect(tableOptions(undefined)).toEqual({ columns: [...TABLE_COLUMNS], precision: 4, sort: null, filter: '' })
    expect(tableOptions({ precision: 2, columns: ['name', 'bogus'], filter: 'x', sort: { column: 'rate', descending: true } })).toEqual({
      columns: [...TABLE_COLUMNS],
      precision: 2,
      sort: { column: 'rate', descending: true },
      filter: 'x'
    })
    expect(formatFixed(1.23456, 2)).toBe('1.23')
    expect(formatFixed(NaN, 2)).toBe('—')
    expect(formatFixed(1e-5, 2)).toBe('1.00e-5')
  })
})

describe('signal table numbers', () => {
  it('keep min and max since reset over every sample, and start again when time runs backwards', () => {
    const h = new History(['a'], 100)
    const st = new TableStats(['a'])
    ;[3, -2, 7].forEach((v, i) => h.append(i / 10, [v]))
    st.update(h, [0])
    h.append(0.3, [1])
    st.update(h, [0])
    expect([st.min[0], st.max[0]]).toEqual([-2, 7])
    h.clear()
    h.append(0, [5])
    st.update(h, [0])
    expect([st.min[0], st.max[0]]).toEqual([5, 5])
    st.reset()
    st.update(h, [0])
    expect([st.min[0], st.max[0]]).toEqual([5, 5])
  })

  it('give the rate of change over the last half second', () => {
    const h = new History(['a'], 100)
    for (let k = 0; k <= 20; k++) h.append(k / 10, [3 * (k / 10)])
    expect(rateOf(h, 0)).toBeCloseTo(3, 12)
    expect(rateOf(new History(['a'], 4), 0)).toBeNaN()
  })
})
