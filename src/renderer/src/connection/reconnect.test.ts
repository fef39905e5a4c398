import { describe, expect, it } from 'vitest'
import { describeClose, reconnectDelayMs, shouldReconnect } from './reconnect'

describe('reconnect policy (seed 002)', () => {
  it('starts at 3 s, doubles, and gives up after 10 tries', () => {
    expect([1, 2, 3, 4, 10].map(reconnectDelayMs)).toEqual([3000, 6000, 12000, 24000, 1_536_000])
    expect(reconnectDelayMs(11)).toBeNull()
    expect(reconnectDelayMs(0)).toBeNull()
  })

  it('does not retry after a normal closure or a policy violation', () => {
    expect(shouldReconnect(1000)).toBe(false)
    expect(shouldReconnect(1008)).toBe(false)
    for (const code of [1001, 1006, 1011, 1009]) expect(shouldReconnect(code)).toBe(true)
  })

  it('names what a close code means', () => {
    expect(describeClose(1001)).toBe('server went away')
    expect(describeClose(4000)).toBe('closed (code 4000)')
  })
})
