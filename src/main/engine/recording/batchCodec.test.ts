// The recorder's row-major encoder writes byte for byte the payload of the column encoder (whose decode
// side the reader and history use), for every codec, odd frame counts and awkward values.
import { describe, expect, it } from 'vitest'
import { loadZstd, lz4Compress, lz4Decompress } from './compression'
import { encodeBatchV2, encodeRowsV2, type Codec } from './batchCodec'
import { decodeBatch } from './format'

/** Row-major frames (frame, time, signals) and the same values as columns. */
function batch(n: number, signals: number, regular: boolean): { rows: Float64Array; columns: Float64Array } {
  const width = signals + 2
  const rows = new Float64Array(n * width)
  const columns = new Float64Array(n * width)
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-310, -1.5e300]
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < width; c++) {
      let v: number
      if (c === 0) v = regular || k !== 3 ? 10 + k : 99
      else if (c === 1) v = (10 + k) * 1e6
      else if (c === 2) v = 7 // constant
      else if (c === 3) v = special[k % special.length]!
      else v = Math.sin(k * 0.01 * c) * c + (k === n >> 1 ? 1e6 : 0)
      rows[k * width + c] = v
      columns[c * n + k] = v
    }
  }
  return { rows, columns }
}

describe('encodeRowsV2', () => {
  const cases: [number, number, boolean][] = [
    [1, 3, true],
    [2, 1, true],
    [7, 5, false],
    [261, 40, true],
    [1026, 3, true],
    // The demo's batch shape (4096 frames of 28 signals, one frame short), and a batch wider than a group.
    [4095, 28, true],
    [9, 1100, false]
  ]
  for (const codec of ['lz4', 'zstd', 'none'] as Codec[]) {
    it(`writes the column encoder's payload (${codec})`, async () => {
      await loadZstd()
      for (const [n, signals, regular] of cases) {
        const { rows, columns } = batch(n, signals, regular)
        const fromRows = encodeRowsV2(rows, signals + 2, n, 3, codec)
        const fromColumns = encodeBatchV2(columns, n, n, signals, 3, codec)
        expect(Buffer.from(fromRows.payload).equals(Buffer.from(fromColumns.payload)), `${n} frames x ${signals} signals`).toBe(true)
        expect(fromRows.summary).toEqual(fromColumns.summary)
        // And it reads back as written (NaN and -0 included).
        const back = decodeBatch(fromRows.payload, 0)
        let differ = 0
        for (let s = 0; s < signals; s++) for (let k = 0; k < n; k++) if (!Object.is(back.columns[s]![k], rows[k * (signals + 2) + 2 + s])) differ++
        expect(differ).toBe(0)
        expect(Array.from(back.frames)).toEqual(Array.from({ length: n }, (_, k) => rows[k * (signals + 2)]))
      }
    })
  }
})

describe('lz4 blocks from a file', () => {
  it('refuses a block whose size prefix is not the size expected, or whose body is damaged, and goes on decoding', () => {
    const raw = new Uint8Array(4096).map((_, i) => (i * 7) % 13)
    const good = lz4Compress(raw)
    expect(Buffer.from(lz4Decompress(good, raw.length)).equals(Buffer.from(raw))).toBe(true)
    const huge = good.slice()
    new DataView(huge.buffer).setUint32(0, 0xffffffff, true)
    expect(() => lz4Decompress(huge, raw.length)).toThrow('lz4 block says 4294967295 bytes, expected 4096')
    expect(() => lz4Decompress(good.subarray(0, 3), raw.length)).toThrow('lz4 block says nothing, expected 4096')
    const damaged = good.slice()
    damaged.fill(0xff, 4)
    expect(() => lz4Decompress(damaged, raw.length)).toThrow()
    expect(Buffer.from(lz4Decompress(good, raw.length)).equals(Buffer.from(raw))).toBe(true)
  })
})
