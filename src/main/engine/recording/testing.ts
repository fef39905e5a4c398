// Test helpers for recordings: every recorded frame as a row, and the check a min/max history reply must
// pass against those rows.
import { readdirSync, readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { FrameBatch } from './format'
import { RecordingReader } from './reader'

export interface RecordedRow {
  segment: number
  frame: number
  timeNs: number
  values: number[]
}

export async function readAll(file: string): Promise<{ reader: RecordingReader; rows: RecordedRow[] }> {
  const reader = await RecordingReader.open(file)
  const rows: RecordedRow[] = []
  const push = (b: FrameBatch): void => {
    for (let k = 0; k < b.frames.length; k++) rows.push({ segment: b.segment, frame: b.frames[k]!, timeNs: b.timesNs[k]!, values: b.columns.map((c) => c[k]!) })
  }
  for await (const b of reader.batches()) push(b)
  return { reader, rows }
}

/**
 * A min/max reply over [fromNs, toNs] (simulated ns) of `rows` (one segment): each bucket's time is its
 * first frame and lies in its nominal bucket (range / buckets); its min and max are those of the frames
 * from it to the next non-empty bucket's first frame; every frame of the range is in a bucket. Returns
 * how many buckets start later than the first frame of their nominal bucket (edges moved to batch edges).
 */
export function expectMinMaxBuckets(reply: Record<string, unknown>, rows: readonly RecordedRow[], column: (name: string) => number, fromNs: number, toNs: number, buckets: number, names: readonly string[]): number {
  expect(reply).toMatchObject({ mode: 'minmax', frames: rows.filter((r) => r.timeNs >= fromNs && r.timeNs <= toNs).length })
  const w = (toNs - fromNs + 1) / buckets
  const nominal = (ns: number): number => Math.min(buckets - 1, Math.floor((ns - fromNs) / w))
  const time = reply.time as number[]
  const lows = reply.min as Record<string, (number | null)[]>
  const highs = reply.max as Record<string, (number | null)[]>
  expect(time).toHaveLength(buckets)
  const filled = time.map((_, i) => i).filter((i) => lows[names[0]!]![i] !== null)
  const inRange = rows.filter((r) => r.timeNs >= fromNs && r.timeNs <= toNs)
  expect(time[filled[0]!]).toBe(inRange[0]!.timeNs / 1e9)
  let moved = 0
  filled.forEach((i, k) => {
    expect(nominal(Math.round(time[i]! * 1e9))).toBe(i)
    if (time[i]! * 1e9 !== inRange.find((r) => nominal(r.timeNs) === i)!.timeNs) moved++
    const next = k + 1 < filled.length ? time[filled[k + 1]!]! : Infinity
    const own = inRange.filter((r) => r.timeNs / 1e9 >= time[i]! && r.timeNs / 1e9 < next)
    for (const name of names) {
      const v = own.map((r) => r.values[column(name)]!)
      expect([lows[name]![i], highs[name]![i]]).toEqual([Math.min(...v), Math.max(...v)])
    }
  })
  return moved
}

/** The nice value of each thread of this process (Linux /proc), or null where there is no /proc. */
export function threadNiceValues(): number[] | null {
  try {
    return readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      // Fields after the command's closing parenthesis start at field 3; nice is field 19.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
    })
  } catch {
    return null
  }
}
