// The recorder's row-major encoder writes byte for byte the payload of the column encoder, for every
// codec, odd frame counts and awkward values; what it writes reads back bit for bit, constant signals
// (set apart in HRF3) included; and HRF2 payloads of older recordings still read.
import { describe, expect, it } from 'vitest'
import { loadZstd, lz4Compress, lz4Decompress, lz4Js, lz4Wasm } from './compression'
import { constantSignals, encodeColumns, encodeRows, summaryOf, type Codec } from './batchCodec'
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
      else if (c === 4) v = NaN // constant, and NaN throughout
      else if (c === 5) v = -0 // constant
      else if (c === 6) v = k % 2 ? 0 : -0 // equal under ===, but not the same bits: not constant
      else if (c === 7) v = k === n - 1 ? 8 : 3 // constant but for the last frame
      else v = Math.sin(k * 0.01 * c) * c + (k === n >> 1 ? 1e6 : 0)
      rows[k * width + c] = v
      columns[c * n + k] = v
    }
  }
  return { rows, columns }
}

describe('encodeRows', () => {
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
        const fromRows = encodeRows(rows, signals + 2, n, 3, codec)
        const fromColumns = encodeColumns(columns, n, n, signals, 3, codec)
        expect(Buffer.from(fromRows.payload).equals(Buffer.from(fromColumns.payload)), `${n} frames x ${signals} signals`).toBe(true)
        expect(fromRows.summary).toEqual(fromColumns.summary)
        // And it reads back as written (NaN and -0 included).
        const back = decodeBatch(fromRows.payload, 0)
        let differ = 0
        for (let s = 0; s < signals; s++) for (let k = 0; k < n; k++) if (!Object.is(back.columns[s]![k], rows[k * (signals + 2) + 2 + s])) differ++
        expect(differ).toBe(0)
        expect(Array.from(back.frames)).toEqual(Array.from({ length: n }, (_, k) => rows[k * (signals + 2)]))
        // The summary is what a scan with < and > finds, for constant signals too.
        const lo = new Float64Array(signals).fill(Infinity)
        const hi = new Float64Array(signals).fill(-Infinity)
        for (let s = 0; s < signals; s++)
          for (let k = 0; k < n; k++) {
            const x = rows[k * (signals + 2) + 2 + s]!
            if (x < lo[s]!) lo[s] = x
            if (x > hi[s]!) hi[s] = x
          }
        const summary = summaryOf(fromRows.payload)!
        expect(Array.from(summary.min).map(String)).toEqual(Array.from(lo).map(String))
        expect(Array.from(summary.max).map(String)).toEqual(Array.from(hi).map(String))
        expect(Object.is(summary.min[3], lo[3])).toBe(true)
        // Bit for bit constant, and only those: 7, NaN and -0 (one frame: every signal).
        const constant = Array.from({ length: signals }, (_, s) => s).filter((s) => n === 1 || [0, 2, 3].includes(s))
        expect(constantSignals(fromRows.payload), `${n} frames x ${signals} signals`).toEqual(constant)
      }
    })
  }
  it('leaves constant signals out of their groups: a batch of a few changing signals among many constant ones stays small', () => {
    const n = 261
    const signals = 1000
    const width = signals + 2
    const rows = new Float64Array(n * width)
    for (let k = 0; k < n; k++) {
      rows[k * width] = k
      rows[k * width + 1] = k * 1e6
      for (let s = 0; s < signals; s++) rows[k * width + 2 + s] = s % 100 === 0 ? Math.sin(k / 10 + s) : s * 0.5
    }
    const { payload } = encodeRows(rows, width, n, 0, 'lz4')
    expect(constantSignals(payload)).toHaveLength(990)
    // Ten changing columns of 261 values, the 990 constants at 8 bytes each, two summary columns.
    expect(payload.byteLength).toBeLessThan(10 * 261 * 8 + 990 * 8 + 2 * 1000 * 8)
    const back = decodeBatch(payload, 0, [0, 1, 500])
    expect(Array.from(back.columns[1]!)).toEqual(new Array(n).fill(0.5))
    expect(Array.from(back.columns[500]!)).toEqual(Array.from({ length: n }, (_, k) => rows[k * width + 502]))
  })
})

describe('a damaged HRF3 constants block', () => {
  it('is refused with what is wrong, not decoded into other values', () => {
    const { rows } = batch(9, 8, true)
    const { payload } = encodeRows(rows, 10, 9, 0, 'lz4')
    const head = new DataView(payload.buffer, payload.byteOffset)
    const blocks = head.getUint32(28, true) + 3
    const last = 56 + 4 * (blocks - 1)
    // The last value cut off: the bitmap names more constant signals than the block holds.
    const cut = payload.slice(0, payload.byteLength - 8)
    new DataView(cut.buffer).setUint32(last, head.getUint32(last, true) - 8, true)
    expect(() => decodeBatch(cut, 0)).toThrow("frame batch's constants block of 20 bytes is shorter than its bitmap says")
    // A stray byte after the values.
    const long = new Uint8Array(payload.byteLength + 1)
    long.set(payload)
    new DataView(long.buffer).setUint32(last, head.getUint32(last, true) + 1, true)
    expect(() => decodeBatch(long, 0)).toThrow("frame batch's constants block has 1 bytes beyond its values")
    // The summary alone does not need the constants: it still reads.
    expect(summaryOf(cut)!.count).toBe(9)
  })
})

describe('HRF2 payloads (recordings made before constant signals were set apart)', () => {
  // Written by the HRF2 encoder (commit 721040a): 9 frames from frame 10, signals 7 (constant), the
  // specials, sin(0.3 k) * 4, NaN throughout, and -2.5 with 1e6 at frame 4; segment 3.
  const HRF2: Record<string, string> = {
    lz4: 'SFJGMgkAAAAFAAAAAwAAAAEAAAAFAAAAAQAAAAEAAAAAAAAAAAAkQAAAAADQEmNBAAAAAICELkFRAAAASwAAAOUAAACAAAAAFQABABWLCgACCQASbQcABQYAFSwKAAIJABKbBwAFBgA1egCADAAACQCx6wCEAAAAHPAA8AQIALAP8C4AAABA/wB/wAgAcH9A/0EAAADAAAAAHwABAFib0BhgqPA4gGSIdAD0FhL748uznIQ2KgAAACQmKCosLjAxMgAAAGNkZmhqbG5wcQAAAEABAEIAAABBAQBQQUEAAADgAQAAHAABACIrNRIAgjNZQMSL8fubDgAPBgATIuZYKACCukGoVW0VctEOAA8GABMTcCcAg7qlXRosvevDDwAPBwASIotmJwCClReYopuBP/UOAA8GABMiaC0oAILNjQNDesJpZA4ACQYAGYAOAAcNACIS6w0AgukREdPrKZ+dDgAJBgAThA4AFBwBALEAAAD4AADw8ABB+BsAgPICCQ0PDwsFGAAT+AEAgAAAAAQEBAQuBQBEAAAAQAEAsQAAAH+AAH//AP5/lAATPxkAABgAE38BAPAAAAAAwMDAwEHAwMDAAAAA',
    none: 'SFJGMgkAAAAFAAAAAwAAAAAAAAAFAAAAAQAAAAEAAAAAAAAAAAAkQAAAAADQEmNBAAAAAICELkFQAAAAkAAAAGgBAAAAAAAAAAAcQAAAAAAAAPD/AAAAAAAAAAAAAAAAAADwfwAAAAAAAATAAAAAAAAAHEAAAAAAAADwf4ttLJt66w9AAAAAAAAA8P8AAAAAgIQuQQAAAAAAACRAAAAAAAAAJkAAAAAAAAAoQAAAAAAAACpAAAAAAAAALEAAAAAAAAAuQAAAAAAAADBAAAAAAAAAMUAAAAAAAAAyQAAAAADQEmNBAAAAABj7ZEEAAAAAYONmQQAAAACoy2hBAAAAAPCzakEAAAAAOJxsQQAAAACAhG5BAAAAAGQ2cEEAAAAAiCpxQQAAAAAAABxAAAAAAAAAHEAAAAAAAAAcQAAAAAAAABxAAAAAAAAAHEAAAAAAAAAcQAAAAAAAABxAAAAAAAAAHEAAAAAAAAAcQAAAAAAAAPh/AAAAAAAAAIAAAAAAAAAAAAAAAAAAAPB/AAAAAAAA8P8r5nCLaBIAADVYAGYt60H+AAAAAAAA+H8AAAAAAAAAgAAAAAAAAAAAM7q6lc3p8j9ZQaUXjRECQECoXZgDEQlAxFUaokPTDUCLbSybeusPQPEVvYHCKQ9A+3LrP2mfC0Cb0cP1ZJ0FQAAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAATAAAAAAAAABMAAAAAAAAAEwAAAAAAAAATAAAAAAICELkEAAAAAAAAEwAAAAAAAAATAAAAAAAAABMAAAAAAAAAEwA=='
  }
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-310, -1.5e300]
  const expected = (s: number, k: number): number => [7, special[k % 7]!, Math.sin(k * 0.3) * 4, NaN, k === 4 ? 1e6 : -2.5][s]!
  it.each(Object.keys(HRF2))('%s: frames, times, every value and the summary read back', (codec) => {
    const payload = new Uint8Array(Buffer.from(HRF2[codec]!, 'base64'))
    expect(constantSignals(payload)).toEqual([])
    const back = decodeBatch(payload, 0)
    expect(back.segment).toBe(3)
    expect(Array.from(back.frames)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18])
    expect(Array.from(back.timesNs)).toEqual(Array.from({ length: 9 }, (_, k) => (10 + k) * 1e6))
    for (let s = 0; s < 5; s++) for (let k = 0; k < 9; k++) expect(Object.is(back.columns[s]![k], expected(s, k)), `signal ${s} frame ${k}`).toBe(true)
    const summary = summaryOf(payload)!
    expect(Array.from(summary.min)).toEqual([7, -Infinity, Math.min(...Array.from({ length: 9 }, (_, k) => Math.sin(k * 0.3) * 4)), Infinity, -2.5])
    expect(Array.from(summary.max)).toEqual([7, Infinity, Math.max(...Array.from({ length: 9 }, (_, k) => Math.sin(k * 0.3) * 4)), -Infinity, 1e6])
  })
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
