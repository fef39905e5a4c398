import { describe, expect, it } from 'vitest'
import vectors from '../../../test/fixtures/hert-vectors.json'
import { decodeHert, encodeHert, HERT_MAGIC, HertDecodeError, writeHert } from './hert'

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const number = (v: number | string): number => (typeof v === 'number' ? v : Number(v))

describe('HERT codec against the shared test vectors', () => {
  it('uses the magic of the fixtures', () => {
    expect(HERT_MAGIC).toBe(vectors.magic)
  })

  for (const c of vectors.cases) {
    it(`encodes "${c.name}" byte for byte`, () => {
      const bytes = encodeHert(BigInt(c.frame), c.time, c.values.map(number))
      expect(bytes.byteLength).toBe(c.bytes)
      expect(toHex(bytes)).toBe(c.hex)
    })

    it(`decodes "${c.name}", frame numbers above 2^53 included`, () => {
      const frame = decodeHert(fromHex(c.hex))
      expect(frame.frame).toBe(BigInt(c.frame))
      expect(frame.time).toBe(c.time)
      // Object.is tells -0 from 0 and compares NaN to NaN.
      expect(Array.from(frame.values).every((v, i) => Object.is(v, number(c.values[i]!)))).toBe(true)
      expect(frame.values.length).toBe(c.values.length)
    })
  }

  for (const c of vectors.invalid) {
    it(`rejects "${c.name}" as ${c.error}`, () => {
      let caught: unknown
      try {
        decodeHert(fromHex(c.hex))
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(HertDecodeError)
      expect((caught as HertDecodeError).kind).toBe(c.error)
    })
  }
})

describe('HERT codec details', () => {
  it('decodes from a view at an odd offset and tolerates trailing bytes', () => {
    const frame = encodeHert(5, 0.05, [1.5, -2.5])
    const padded = new Uint8Array(frame.byteLength + 5)
    padded.set(frame, 3)
    const decoded = decodeHert(padded.subarray(3))
    expect(decoded.frame).toBe(5n)
    expect(Array.from(decoded.values)).toEqual([1.5, -2.5])
  })

  it('writes into a caller-provided view at an offset', () => {
    const buffer = new ArrayBuffer(64)
    const length = writeHert(new DataView(buffer, 8), 9, 0.09, [3])
    expect(length).toBe(32)
    expect(decodeHert(new Uint8Array(buffer, 8, length)).values[0]).toBe(3)
  })

  it('names the problem in its messages as the reference decoder does', () => {
    expect(() => decodeHert(new Uint8Array(10))).toThrow('Frame too short: 10 < 24')
    expect(() => decodeHert(new Uint8Array(24))).toThrow('Invalid magic: 0x00000000, expected 0x48455254')
  })
})
