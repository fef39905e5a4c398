import { describe, expect, it } from 'vitest'
import { History } from '../../telemetry/history'
import { historyCsv } from './csv'

describe('historyCsv', () => {
  it('writes time and the chosen signals over the range, blank for signals not in the history', () => {
    const h = new History(['a', 'b'], 10)
    for (let i = 0; i < 5; i++) h.append(i / 10, [i, i * i])
    expect(historyCsv(h, ['b', 'missing', 'a'], 0.1, 0.3)).toBe('time,b,missing,a\n0.1,1,,1\n0.2,4,,2\n0.3,9,,3\n')
  })
})
