// The packed batch index: merged summaries hold the min and max of both, and freed summary slots are
// reused, so the memory in use follows the summaries kept, not the batches written.
import { describe, expect, it } from 'vitest'
import { BatchIndex } from './batchIndex'
import type { BatchSummary } from './batchCodec'

const summary = (firstTimeNs: number, min: number[], max: number[]): BatchSummary => ({
  count: 10,
  segment: 0,
  firstFrame: 0,
  firstTimeNs,
  stepNs: 1,
  regular: true,
  min: Float64Array.from(min),
  max: Float64Array.from(max)
})

const extremaOf = (index: BatchIndex, i: number): number[] => Array.from(index.summaryValues.subarray(index.summaryAt(i), index.summaryAt(i) + 4))

describe('BatchIndex', () => {
  it('keeps each batch where it was written, and finds the first batch that reaches a time', () => {
    const index = new BatchIndex(2)
    for (let i = 0; i < 1000; i++) index.push(i * 100, i * 100 + 90, i * 5000, 5000, summary(i * 100, [i, -i], [i + 1, 0]))
    expect(index.length).toBe(1000)
    expect([index.first(999), index.last(999), index.offset(999), index.bytes(999)]).toEqual([99_900, 99_990, 4_995_000, 5000])
    expect(index.firstEndingAtOrAfter(0)).toBe(0)
    expect(index.firstEndingAtOrAfter(95)).toBe(1)
    expect(index.firstEndingAtOrAfter(99_990)).toBe(999)
    expect(index.firstEndingAtOrAfter(99_991)).toBe(1000)
    expect(extremaOf(index, 7)).toEqual([7, -7, 8, 0])
  })

  it('merges a summary into the one before it: both spans, min of the minima, max of the maxima, counts added', () => {
    const index = new BatchIndex(2)
    index.push(0, 9, 0, 10, summary(0, [1, 5], [2, 6]))
    index.push(10, 19, 10, 10, summary(10, [0, 7], [3, 6.5]))
    index.merge(0, 1)
    expect(index.span(0)).toBe(2)
    expect(index.hasSummary(1)).toBe(false)
    expect(index.summaryCount(0)).toBe(20)
    expect(extremaOf(index, 0)).toEqual([0, 5, 3, 6.5])
  })

  it('reuses freed slots: a new summary takes the slot a merge or a drop freed, and its own values', () => {
    const index = new BatchIndex(2)
    index.push(0, 9, 0, 10, summary(0, [1, 1], [1, 1]))
    index.push(10, 19, 10, 10, summary(10, [2, 2], [2, 2]))
    index.push(20, 29, 20, 10, summary(20, [3, 3], [3, 3]))
    const freed = [index.summaryAt(1), index.summaryAt(2)]
    index.merge(0, 1)
    index.dropSummary(2)
    index.push(30, 39, 30, 10, summary(30, [4, 4], [4, 4]))
    index.push(40, 49, 40, 10, summary(40, [5, 5], [5, 5]))
    expect(freed).toContain(index.summaryAt(3))
    expect(freed).toContain(index.summaryAt(4))
    expect(extremaOf(index, 3)).toEqual([4, 4, 4, 4])
    expect(extremaOf(index, 4)).toEqual([5, 5, 5, 5])
    expect(extremaOf(index, 0)).toEqual([1, 1, 2, 2])
    expect(index.summaryClockOffset(4)).toBe(0)
  })
})
