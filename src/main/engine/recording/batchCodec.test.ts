// The recorder's row-major encoder writes byte for byte the payload of the column encoder (whose decode
// side the reader and history use), for every codec, odd frame counts and awkward values.
import { describe, expect, it } from 'vitest'
import { loadZstd, lz4Compress, lz4Decompress, lz4Js, lz4Wasm } from './compression'
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

describe('the two lz4 builds (lz4js on the engine thread, WebAssembly on a recorder thread)', () => {
  // Byte planes of a slowly changing signal (what the recorder compresses), noise, and the edge lengths of
  // a literal-only block (a token holds up to 14, 15 and more take extra bytes, 255 at a time).
  const walk = new Float64Array(2048).map((_, i) => 20 + Math.sin(i / 50) + i * 1e-6)
  const planes = new Uint8Array(walk.length * 8)
  new Uint8Array(walk.buffer).forEach((b, i) => (planes[(i % 8) * walk.length + Math.floor(i / 8)] = b))
  let seed = 7
  const noise = (n: number): Uint8Array => new Uint8Array(n).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24))
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['3 bytes', noise(3)],
    ['14 bytes', noise(14)],
    ['15 bytes', noise(15)],
    ['269 bytes of noise', noise(269)],
    ['270 bytes of noise', noise(270)],
    ['16 KiB of noise', noise(16384)],
    ['4 KiB of zeros', new Uint8Array(4096)],
    ['byte planes of 2,048 values', planes]
  ]
  it.each(cases)('%s: each decodes what the other compressed, byte for byte', (_, raw) => {
    for (const [from, to] of [
      [lz4Js, lz4Wasm],
      [lz4Wasm, lz4Js],
      [lz4Js, lz4Js]
    ] as const) {
      const block = from.compress(raw)
      expect(new DataView(block.buffer, block.byteOffset).getUint32(0, true)).toBe(raw.byteLength)
      expect(Buffer.from(to.decompress(block, raw.byteLength)).equals(Buffer.from(raw))).toBe(true)
    }
  })
  it('compress about as well: within 5 % of each other on byte planes', () => {
    const js = lz4Js.compress(planes).byteLength
    const wasm = lz4Wasm.compress(planes).byteLength
    expect(js).toBeLessThan(planes.byteLength * 0.9)
    expect(Math.abs(js - wasm) / wasm).toBeLessThan(0.05)
  })
  it('each refuses a block that decodes to another length than its size says', () => {
    const raw = noise(1000)
    const cut = (codec: typeof lz4Js): Uint8Array => {
      const block = codec.compress(raw)
      return block.subarray(0, block.byteLength - 10)
    }
    expect(() => lz4Js.decompress(cut(lz4Js), raw.byteLength)).toThrow(/^lz4 block decodes to \d+ bytes, expected 1000$/)
    expect(() => lz4Wasm.decompress(cut(lz4Wasm), raw.byteLength)).toThrow()
  })
})
