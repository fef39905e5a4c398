// HERT binary telemetry frames (seed 000): little-endian u32 magic, u64 frame, f64 time in seconds,
// u32 count, then count float64 values in subscription order. 24 + 8·count bytes, no padding.

export const HERT_MAGIC = 0x48455254
export const HERT_HEADER_BYTES = 24

export interface HertFrame {
  /** u64 on the wire; a bigint because frame numbers may exceed 2^53. */
  frame: bigint
  time: number
  values: Float64Array
}

export type HertErrorKind = 'short' | 'magic' | 'length'

export class HertDecodeError extends Error {
  override name = 'HertDecodeError'
  constructor(
    readonly kind: HertErrorKind,
    message: string
  ) {
    super(message)
  }
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export function hertByteLength(count: number): number {
  return HERT_HEADER_BYTES + 8 * count
}

/** Writes one frame into `target` (which must hold hertByteLength(count) bytes) and returns its length. */
export function writeHert(target: DataView, frame: number | bigint, time: number, values: ArrayLike<number>): number {
  const count = values.length
  target.setUint32(0, HERT_MAGIC, true)
  target.setBigUint64(4, BigInt(frame), true)
  target.setFloat64(12, time, true)
  target.setUint32(20, count, true)
  const start = target.byteOffset + HERT_HEADER_BYTES
  if (littleEndianHost && start % 8 === 0) {
    new Float64Array(target.buffer, start, count).set(values)
  } else {
    for (let i = 0; i < count; i++) target.setFloat64(HERT_HEADER_BYTES + 8 * i, values[i]!, true)
  }
  return hertByteLength(count)
}

export function encodeHert(frame: number | bigint, time: number, values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(hertByteLength(values.length))
  writeHert(new DataView(bytes.buffer), frame, time, values)
  return bytes
}

/** Decodes one frame; trailing bytes after the values are tolerated, as the reference decoder does. */
export function decodeHert(data: ArrayBuffer | ArrayBufferView): HertFrame {
  const view = ArrayBuffer.isView(data) ? new DataView(data.buffer, data.byteOffset, data.byteLength) : new DataView(data)
  if (view.byteLength < HERT_HEADER_BYTES) throw new HertDecodeError('short', `Frame too short: ${view.byteLength} < ${HERT_HEADER_BYTES}`)
  const magic = view.getUint32(0, true)
  if (magic !== HERT_MAGIC) {
    throw new HertDecodeError('magic', `Invalid magic: 0x${magic.toString(16).toUpperCase().padStart(8, '0')}, expected 0x48455254`)
  }
  const count = view.getUint32(20, true)
  const expected = hertByteLength(count)
  if (view.byteLength < expected) throw new HertDecodeError('length', `Frame truncated: ${view.byteLength} < ${expected}`)
  const values = new Float64Array(count)
  const start = view.byteOffset + HERT_HEADER_BYTES
  if (littleEndianHost && start % 8 === 0) values.set(new Float64Array(view.buffer, start, count))
  else for (let i = 0; i < count; i++) values[i] = view.getFloat64(HERT_HEADER_BYTES + 8 * i, true)
  return { frame: view.getBigUint64(4, true), time: view.getFloat64(12, true), values }
}
