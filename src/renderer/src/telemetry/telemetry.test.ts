import { describe, expect, it } from 'vitest'
import { telemetry } from './telemetry'

describe('console telemetry', () => {
  it('keeps one sample per time: a paused run updates the newest sample instead of adding copies', () => {
    telemetry.resubscribe(['a'], 10)
    telemetry.clear()
    telemetry.append(0.1, [1])
    telemetry.append(0.2, [2])
    for (let i = 0; i < 50; i++) telemetry.append(0.2, [3])
    expect(telemetry.history.length).toBe(2)
    expect(telemetry.history.valueAt(0, 1)).toBe(3)
  })

  it('starts afresh when time runs backwards (a reset)', () => {
    telemetry.resubscribe(['a'], 10)
    telemetry.clear()
    for (let i = 1; i <= 5; i++) telemetry.append(i / 10, [i])
    telemetry.append(0, [0])
    expect(telemetry.history.length).toBe(1)
    expect(telemetry.history.timeAt(0)).toBe(0)
  })

  it('keeps the samples of signals that stay subscribed, and gives new ones no made-up past', () => {
    telemetry.resubscribe(['a'], 10)
    telemetry.clear()
    telemetry.append(0.1, [1])
    telemetry.append(0.2, [2])
    const generation = telemetry.generation
    telemetry.resubscribe(['b', 'a'], 10)
    expect(telemetry.generation).toBe(generation + 1)
    const h = telemetry.history
    expect(h.length).toBe(2)
    expect(h.valueAt(h.indexOf('a'), 1)).toBe(2)
    expect(Number.isNaN(h.valueAt(h.indexOf('b'), 1))).toBe(true)
  })
})
