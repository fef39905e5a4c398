// The grouped frame-batch payload (docs/recording.md): a per-signal min/max summary, then the columns in
// small groups of byte planes, each compressed on its own, so that a reader decodes only the signals it
// asks for and a whole-run view reads summaries instead of frames. HRF3 (written now) sets the signals
// that are constant over the batch apart, one value each; HRF2 (older recordings) has every column in
// its group.
import { lz4Compress, lz4Decompress, zstd } from './compression'

export const MAGIC_V2 = 0x32465248 // "HRF2"
export const MAGIC_V3 = 0x33465248 // "HRF3"
export type Codec = 'lz4' | 'zstd' | 'none'
const CODEC_IDS: Record<Codec, number> = { none: 0, lz4: 1, zstd: 2 }
const CODECS: Codec[] = ['none', 'lz4', 'zstd']
/** zstd's fast levels pack byte planes as well as level 1 here, at three times the speed. */
const ZSTD_LEVEL = -1
/** Raw bytes a group of columns aims at: big enough to compress well, small enough to read alone. */
const GROUP_BYTES = 16 * 1024
const FIXED = 56
const FLAG_REGULAR = 1

/** What a batch holds, without its frames: read from the payload's head (no decompression). */
export interface BatchSummary {
  count: number
  segment: number
  firstFrame: number
  firstTimeNs: number
  /** Time between consecutive frames (0 for one frame). */
  stepNs: number
  /** Frames consecutive and evenly spaced: frame and time columns follow from the first. */
  regular: boolean
  /** Per signal (column order); a signal that was NaN throughout has min +Infinity and max -Infinity. */
  min: Float64Array
  max: Float64Array
}

export interface EncodedBatch {
  payload: Uint8Array
  summary: BatchSummary
}

let scratch = new Uint32Array(0)

/**
 * `data` holds the columns frame, time_ns, then each signal with a stride of `capacity` values (the
 * scheduler's batch buffer). Min and max use `<` and `>` as a history scan does, so they agree exactly.
 */
export function encodeColumns(data: Float64Array, count: number, capacity: number, signals: number, segment: number, codec: Codec): EncodedBatch {
  return encode(data, 1, capacity, count, signals, segment, codec)
}

/**
 * The same payload as encodeColumns, from the scheduler's row-major batch (`width` = signals + 2 values
 * a frame): byte planes straight from the rows, min and max on the way, with no column copy between.
 */
export function encodeRows(rows: Float64Array, width: number, count: number, segment: number, codec: Codec): EncodedBatch {
  return encode(rows, width, 1, count, width - 2, segment, codec)
}

/** Value k of column c (0 frame, 1 time, then the signals) is `data[c * columnStride + k * valueStride]`. */
function encode(data: Float64Array, valueStride: number, columnStride: number, n: number, signals: number, segment: number, codec: Codec): EncodedBatch {
  const group = groupSize(signals, n)
  const groups = Math.ceil(signals / group)
  const min = new Float64Array(signals)
  const max = new Float64Array(signals)
  const firstFrame = n > 0 ? data[0]! : 0
  const firstTimeNs = n > 0 ? data[columnStride]! : 0
  const stepNs = n > 1 ? data[columnStride + valueStride]! - firstTimeNs : 0
  let regular = true
  for (let k = 1; k < n && regular; k++) regular = data[k * valueStride] === firstFrame + k && data[columnStride + k * valueStride] === firstTimeNs + k * stepNs
  const constant = new Uint8Array(signals)
  const constants = findConstants(data, valueStride, columnStride, n, signals, constant, min, max)
  // Group 0: frame and time; then the signals, `group` columns each (less the constant ones).
  const blocks: Uint8Array[] = [encodeGroup(data, valueStride, columnStride, n, 0, 2, codec, null, null, null)]
  for (let g = 0; g < groups; g++) blocks.push(encodeGroup(data, valueStride, columnStride, n, 2 + g * group, Math.min(group, signals - g * group), codec, min, max, constant))
  blocks.push(constantsBlock(data, columnStride, constant, constants))
  return assemble(blocks, { count: n, segment, firstFrame, firstTimeNs, stepNs, regular, min, max }, group, codec)
}

/**
 * Marks each signal whose every value has the bits of its first (a parameter, a mode flag, a stuck
 * sensor: over one batch most of a wide model's signals, and then encoding them is most of the
 * recorder's work), sets its min and max as a scan with `<` and `>` would, and returns how many.
 */
function findConstants(data: Float64Array, valueStride: number, columnStride: number, n: number, signals: number, constant: Uint8Array, min: Float64Array, max: Float64Array): number {
  if (n === 0) return 0
  const src = new Uint32Array(data.buffer, data.byteOffset, data.length * 2)
  const step = 2 * valueStride
  let found = 0
  for (let s = 0; s < signals; s++) {
    const w0 = 2 * (s + 2) * columnStride
    const lo = src[w0]!
    const hi = src[w0 + 1]!
    let k = 1
    for (let w = w0 + step; k < n && src[w] === lo && src[w + 1] === hi; k++, w += step);
    if (k < n) continue
    constant[s] = 1
    found++
    const x = data[(s + 2) * columnStride]!
    min[s] = x < Infinity ? x : Infinity
    max[s] = x > -Infinity ? x : -Infinity
  }
  return found
}

/** The constant signals: a bitmap of `signals` bits (u32 LE words), then their values (f64 LE) in column order. */
function constantsBlock(data: Float64Array, columnStride: number, constant: Uint8Array, constants: number): Uint8Array {
  const words = Math.ceil(constant.length / 32)
  const out = new Uint8Array(4 * words + 8 * constants)
  const view = new DataView(out.buffer)
  let at = 4 * words
  for (let s = 0; s < constant.length; s++) {
    if (!constant[s]) continue
    view.setUint32(4 * (s >>> 5), view.getUint32(4 * (s >>> 5), true) | (1 << (s & 31)), true)
    view.setFloat64(at, data[(s + 2) * columnStride]!, true)
    at += 8
  }
  return out
}

/** Signal columns per group for `n` frames (a reader takes it from the header). */
function groupSize(signals: number, n: number): number {
  return Math.max(1, Math.min(signals, Math.floor(GROUP_BYTES / (8 * Math.max(1, n)))))
}

/** Header, block table, the summary block, then the frame/time and signal groups and the constants (`groupBlocks`). */
function assemble(groupBlocks: Uint8Array[], summary: BatchSummary, group: number, codec: Codec): EncodedBatch {
  const { count: n, segment, firstFrame, firstTimeNs, stepNs, regular, min, max } = summary
  const signals = min.length
  const groups = groupBlocks.length - 2
  // The summary as its own block first (min then max, as two columns of `signals` values).
  const minmax = new Float64Array(2 * signals)
  minmax.set(min)
  minmax.set(max, signals)
  const blocks = [encodeGroup(minmax, 1, signals, signals, 0, 2, codec, null, null, null), ...groupBlocks]
  const tableAt = FIXED
  const bodyAt = tableAt + 4 * blocks.length
  const payload = new Uint8Array(bodyAt + blocks.reduce((a, b) => a + b.byteLength, 0))
  const head = new DataView(payload.buffer)
  head.setUint32(0, MAGIC_V3, true)
  head.setUint32(4, n, true)
  head.setUint32(8, signals, true)
  head.setUint32(12, segment, true)
  head.setUint32(16, CODEC_IDS[codec], true)
  head.setUint32(20, group, true)
  head.setUint32(24, regular ? FLAG_REGULAR : 0, true)
  head.setUint32(28, groups, true)
  head.setFloat64(32, firstFrame, true)
  head.setFloat64(40, firstTimeNs, true)
  head.setFloat64(48, stepNs, true)
  let at = bodyAt
  blocks.forEach((b, i) => {
    head.setUint32(tableAt + 4 * i, b.byteLength, true)
    payload.set(b, at)
    at += b.byteLength
  })
  return { payload, summary }
}

/**
 * Columns [first, first + columns) of a batch whose value of column c at frame k is
 * `data[c * columnStride + k * valueStride]`: the scheduler's rows (valueStride = width, columnStride 1)
 * or columns (valueStride 1, columnStride = capacity), less those `constant` marks (indexed by signal,
 * c - 2). Plain float64 columns (none), or byte planes compressed, each column padded to a multiple of 4
 * values so that four bytes go out as one word; a group left with no column is an empty block. With
 * `min` and `max` given, each column's extremes go to [c - 2] (`<` and `>`, in frame order, as a history
 * scan does, so they agree exactly).
 */
function encodeGroup(data: Float64Array, valueStride: number, columnStride: number, n: number, first: number, columns: number, codec: Codec, min: Float64Array | null, max: Float64Array | null, constant: Uint8Array | null): Uint8Array {
  const kept: number[] = []
  for (let j = 0; j < columns; j++) if (!constant?.[first + j - 2]) kept.push(first + j)
  if (kept.length === 0) return new Uint8Array(0)
  const width = kept.length
  if (codec === 'none') {
    const out = new Float64Array(width * n)
    for (let j = 0; j < width; j++) {
      const c = kept[j]!
      let lo = Infinity
      let hi = -Infinity
      for (let k = 0, at = c * columnStride, o = j * n; k < n; k++, at += valueStride, o++) {
        const v = data[at]!
        out[o] = v
        if (v < lo) lo = v
        if (v > hi) hi = v
      }
      if (min && max) {
        min[c - 2] = lo
        max[c - 2] = hi
      }
    }
    return new Uint8Array(out.buffer)
  }
  const n4 = (n + 3) & ~3
  const words = (8 * width * n4) / 4
  if (scratch.length < words) scratch = new Uint32Array(words)
  const out = scratch
  const src = new Uint32Array(data.buffer, data.byteOffset, data.length * 2)
  const plane = (width * n4) / 4
  // Four frames of a column are 2 * valueStride words apart each: one word per byte plane takes one of each.
  const s1 = 2 * valueStride
  const s2 = 4 * valueStride
  const s3 = 6 * valueStride
  const s4 = 8 * valueStride
  for (let j = 0; j < width; j++) {
    const c = kept[j]!
    let lo = Infinity
    let hi = -Infinity
    let v = c * columnStride
    let w = 2 * v
    const q0 = (j * n4) / 4
    let k = 0
    for (let q = q0; k + 3 < n; k += 4, q++, w += s4, v += 4 * valueStride) {
      const l0 = src[w]!, h0 = src[w + 1]!, l1 = src[w + s1]!, h1 = src[w + s1 + 1]!
      const l2 = src[w + s2]!, h2 = src[w + s2 + 1]!, l3 = src[w + s3]!, h3 = src[w + s3 + 1]!
      out[q] = (l0 & 255) | ((l1 & 255) << 8) | ((l2 & 255) << 16) | (l3 << 24)
      out[q + plane] = ((l0 >>> 8) & 255) | (((l1 >>> 8) & 255) << 8) | (((l2 >>> 8) & 255) << 16) | ((l3 >>> 8) << 24)
      out[q + 2 * plane] = ((l0 >>> 16) & 255) | (((l1 >>> 16) & 255) << 8) | (((l2 >>> 16) & 255) << 16) | ((l3 >>> 16) << 24)
      out[q + 3 * plane] = (l0 >>> 24) | ((l1 >>> 24) << 8) | ((l2 >>> 24) << 16) | ((l3 >>> 24) << 24)
      out[q + 4 * plane] = (h0 & 255) | ((h1 & 255) << 8) | ((h2 & 255) << 16) | (h3 << 24)
      out[q + 5 * plane] = ((h0 >>> 8) & 255) | (((h1 >>> 8) & 255) << 8) | (((h2 >>> 8) & 255) << 16) | ((h3 >>> 8) << 24)
      out[q + 6 * plane] = ((h0 >>> 16) & 255) | (((h1 >>> 16) & 255) << 8) | (((h2 >>> 16) & 255) << 16) | ((h3 >>> 16) << 24)
      out[q + 7 * plane] = (h0 >>> 24) | ((h1 >>> 24) << 8) | ((h2 >>> 24) << 16) | ((h3 >>> 24) << 24)
      if (min) {
        for (let i = 0, at = v; i < 4; i++, at += valueStride) {
          const x = data[at]!
          if (x < lo) lo = x
          if (x > hi) hi = x
        }
      }
    }
    if (k < n) {
      // The last 1-3 values; the padding after them is zero.
      const q = q0 + k / 4
      for (let b = 0; b < 8; b++) {
        let word = 0
        for (let i = 0; k + i < n; i++) word |= ((src[w + i * s1 + (b >> 2)]! >>> (8 * (b & 3))) & 255) << (8 * i)
        out[q + b * plane] = word
      }
      if (min) {
        for (let at = v; k < n; k++, at += valueStride) {
          const x = data[at]!
          if (x < lo) lo = x
          if (x > hi) hi = x
        }
      }
    }
    if (min && max) {
      min[c - 2] = lo
      max[c - 2] = hi
    }
  }
  return compressPlanes(new Uint8Array(out.buffer, 0, words * 4), codec)
}

function compressPlanes(bytes: Uint8Array, codec: Codec): Uint8Array {
  if (codec === 'zstd') return zstd().compress(bytes, ZSTD_LEVEL)
  return lz4Compress(bytes)
}

interface Layout {
  codec: Codec
  count: number
  signals: number
  group: number
  groups: number
  /** Byte offsets of the blocks: summary, frame and time, then each group (then HRF3's constants); and the end. */
  starts: number[]
  /** HRF3 (else null): the constants block, read by constantsOf when a decode needs it (a summary does not). */
  constants: Uint8Array | null
}

function layoutOf(payload: Uint8Array): Layout | null {
  if (payload.byteLength < FIXED) return null
  const head = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const magic = head.getUint32(0, true)
  if (magic !== MAGIC_V2 && magic !== MAGIC_V3) return null
  const count = head.getUint32(4, true)
  const signals = head.getUint32(8, true)
  const codec = CODECS[head.getUint32(16, true)]
  if (!codec) throw new Error(`frame batch has unknown codec ${head.getUint32(16, true)}`)
  const group = head.getUint32(20, true)
  const groups = head.getUint32(28, true)
  if (group < 1 || groups !== Math.ceil(signals / group)) throw new Error(`frame batch has ${groups} groups of ${group} for ${signals} signals`)
  const blocks = groups + (magic === MAGIC_V3 ? 3 : 2)
  if (payload.byteLength < FIXED + 4 * blocks) throw new Error(`frame batch of ${payload.byteLength} bytes is shorter than its block table`)
  const starts: number[] = []
  let at = FIXED + 4 * blocks
  for (let i = 0; i < blocks; i++) {
    starts.push(at)
    at += head.getUint32(FIXED + 4 * i, true)
  }
  starts.push(at)
  if (at > payload.byteLength) throw new Error(`frame batch of ${payload.byteLength} bytes is shorter than its blocks (${at})`)
  const constants = magic === MAGIC_V3 ? payload.subarray(starts[blocks - 1]!, starts[blocks]!) : null
  return { codec, count, signals, group, groups, starts, constants }
}

/** Per signal, its value when it was constant over the batch (left out of its group), else undefined. */
function constantsOf(block: Uint8Array, signals: number): (number | undefined)[] {
  const words = Math.ceil(signals / 32)
  if (block.byteLength < 4 * words) throw new Error(`frame batch's constants block of ${block.byteLength} bytes is shorter than its bitmap (${4 * words})`)
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength)
  const values: (number | undefined)[] = new Array<number | undefined>(signals)
  let at = 4 * words
  for (let s = 0; s < signals; s++) {
    if (!((view.getUint32(4 * (s >>> 5), true) >>> (s & 31)) & 1)) continue
    if (at + 8 > block.byteLength) throw new Error(`frame batch's constants block of ${block.byteLength} bytes is shorter than its bitmap says`)
    values[s] = view.getFloat64(at, true)
    at += 8
  }
  if (at !== block.byteLength) throw new Error(`frame batch's constants block has ${block.byteLength - at} bytes beyond its values`)
  return values
}

/** The summary of an HRF2 or HRF3 payload (its first block only); null for HRF0/HRF1 payloads, which have none. */
export function summaryOf(payload: Uint8Array): BatchSummary | null {
  const layout = layoutOf(payload)
  if (!layout) return null
  const head = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const signals = layout.signals
  const [min, max] = decodeGroup(payload.subarray(layout.starts[0]!, layout.starts[1]!), signals, 2, layout.codec) as [Float64Array, Float64Array]
  return {
    count: head.getUint32(4, true),
    segment: head.getUint32(12, true),
    firstFrame: head.getFloat64(32, true),
    firstTimeNs: head.getFloat64(40, true),
    stepNs: head.getFloat64(48, true),
    regular: (head.getUint32(24, true) & FLAG_REGULAR) !== 0,
    min,
    max
  }
}

/** The signals an HRF3 payload holds as one value each (constant over its batch); none for an older payload. */
export function constantSignals(payload: Uint8Array): number[] {
  const layout = layoutOf(payload)
  const constants = layout?.constants ? constantsOf(layout.constants, layout.signals) : []
  return constants.flatMap((value, s) => (value === undefined ? [] : [s]))
}

/**
 * Memory that decodes reuse when their result is read and dropped before the next decode (a history
 * scan over millions of frames): the arrays a decode with it returns are overwritten by the next one.
 */
export class DecodeScratch {
  private buffer = new Float64Array(0)
  private used = 0

  /** Room for `values` values in all for one decode; earlier results become invalid. */
  reserve(values: number): void {
    if (this.buffer.length < values) this.buffer = new Float64Array(values)
    this.used = 0
  }

  take(values: number): Float64Array {
    if (this.used + values > this.buffer.length) throw new Error(`decode scratch of ${this.buffer.length} values asked for ${this.used + values}`)
    const out = this.buffer.subarray(this.used, this.used + values)
    this.used += values
    return out
  }
}

/**
 * Decodes an HRF2 or HRF3 payload: frames, times and the signal columns `only` asks for (all by default),
 * with the rest of their groups; the others are empty arrays. Each group is checked against the header so
 * a damaged file names what is wrong.
 */
export function decodeGrouped(payload: Uint8Array, only?: readonly number[], scratch?: DecodeScratch): { segment: number; frames: Float64Array; timesNs: Float64Array; columns: Float64Array[] } {
  const layout = layoutOf(payload)
  if (!layout) throw new Error('frame batch does not start with HRF2 or HRF3')
  const { count: n, signals, codec, group, groups, starts } = layout
  const constants = layout.constants ? constantsOf(layout.constants, signals) : null
  const head = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const summary = { segment: head.getUint32(12, true), regular: (head.getUint32(24, true) & FLAG_REGULAR) !== 0, firstFrame: head.getFloat64(32, true), firstTimeNs: head.getFloat64(40, true), stepNs: head.getFloat64(48, true) }
  const wanted = new Set(only ?? Array.from({ length: signals }, (_, s) => s))
  const wantedGroups: number[] = []
  let values = 2 * n
  for (let g = 0; g < groups; g++) {
    let any = false
    for (let s = g * group; s < Math.min(signals, (g + 1) * group); s++) any ||= wanted.has(s)
    if (!any) continue
    wantedGroups.push(g)
    values += n * Math.min(group, signals - g * group)
  }
  scratch?.reserve(values)
  const alloc = (length: number): Float64Array => (scratch ? scratch.take(length) : new Float64Array(length))
  // Block 0 is the summary, 1 frame and time, then the groups.
  const block = (i: number, columns: number): Float64Array[] => decodeGroup(payload.subarray(starts[i + 1]!, starts[i + 2]!), n, columns, codec, alloc(columns * n))
  let frames: Float64Array
  let timesNs: Float64Array
  if (summary.regular) {
    frames = alloc(n)
    timesNs = alloc(n)
    for (let k = 0; k < n; k++) {
      frames[k] = summary.firstFrame + k
      timesNs[k] = summary.firstTimeNs + k * summary.stepNs
    }
  } else [frames, timesNs] = block(0, 2) as [Float64Array, Float64Array]
  const empty = new Float64Array(0)
  const columns: Float64Array[] = Array.from({ length: signals }, () => empty)
  for (const g of wantedGroups) {
    const members: number[] = []
    for (let s = g * group; s < Math.min(signals, (g + 1) * group); s++) {
      const value = constants?.[s]
      if (value === undefined) members.push(s)
      else columns[s] = alloc(n).fill(value)
    }
    if (members.length === 0) {
      if (starts[g + 3]! !== starts[g + 2]!) throw new Error(`frame group ${g} holds only constant signals but has ${starts[g + 3]! - starts[g + 2]!} bytes`)
      continue
    }
    block(g + 1, members.length).forEach((c, j) => (columns[members[j]!] = c))
  }
  return { segment: summary.segment, frames, timesNs, columns }
}

/** `out`: room for `columns * n` values, which the decoded columns are views of. */
function decodeGroup(stored: Uint8Array, n: number, columns: number, codec: Codec, out: Float64Array = new Float64Array(columns * n)): Float64Array[] {
  if (codec === 'none') {
    if (stored.byteLength !== out.byteLength) throw new Error(`frame group of ${stored.byteLength} bytes, expected ${out.byteLength}`)
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(stored)
  } else {
    const n4 = (n + 3) & ~3
    const size = 8 * columns * n4
    const raw = codec === 'lz4' ? lz4Decompress(stored, size) : zstd().decompress(stored, size)
    if (raw.byteLength !== size) throw new Error(`frame group decompresses to ${raw.byteLength} bytes, expected ${size}`)
    // Aligned words of the planes (a copy when the decompressed bytes are not 4-aligned).
    const planes = raw.byteOffset % 4 === 0 ? new Uint32Array(raw.buffer, raw.byteOffset, size / 4) : new Uint32Array(new Uint8Array(raw).buffer)
    const dst = new Uint32Array(out.buffer, out.byteOffset, out.length * 2)
    const plane = (columns * n4) / 4
    for (let j = 0; j < columns; j++) {
      const q0 = (j * n4) / 4
      let k = 0
      let q = q0
      let w = 2 * j * n
      // Whole words of four values, shifts unrolled; then the last one to three.
      for (; k + 3 < n; k += 4, q++, w += 8) {
        const p0 = planes[q]!, p1 = planes[q + plane]!, p2 = planes[q + 2 * plane]!, p3 = planes[q + 3 * plane]!
        const p4 = planes[q + 4 * plane]!, p5 = planes[q + 5 * plane]!, p6 = planes[q + 6 * plane]!, p7 = planes[q + 7 * plane]!
        dst[w] = (p0 & 255) | ((p1 & 255) << 8) | ((p2 & 255) << 16) | ((p3 & 255) << 24)
        dst[w + 1] = (p4 & 255) | ((p5 & 255) << 8) | ((p6 & 255) << 16) | ((p7 & 255) << 24)
        dst[w + 2] = ((p0 >>> 8) & 255) | (((p1 >>> 8) & 255) << 8) | (((p2 >>> 8) & 255) << 16) | (((p3 >>> 8) & 255) << 24)
        dst[w + 3] = ((p4 >>> 8) & 255) | (((p5 >>> 8) & 255) << 8) | (((p6 >>> 8) & 255) << 16) | (((p7 >>> 8) & 255) << 24)
        dst[w + 4] = ((p0 >>> 16) & 255) | (((p1 >>> 16) & 255) << 8) | (((p2 >>> 16) & 255) << 16) | (((p3 >>> 16) & 255) << 24)
        dst[w + 5] = ((p4 >>> 16) & 255) | (((p5 >>> 16) & 255) << 8) | (((p6 >>> 16) & 255) << 16) | (((p7 >>> 16) & 255) << 24)
        dst[w + 6] = (p0 >>> 24) | ((p1 >>> 24) << 8) | ((p2 >>> 24) << 16) | ((p3 >>> 24) << 24)
        dst[w + 7] = (p4 >>> 24) | ((p5 >>> 24) << 8) | ((p6 >>> 24) << 16) | ((p7 >>> 24) << 24)
      }
      if (k < n) {
        const p0 = planes[q]!, p1 = planes[q + plane]!, p2 = planes[q + 2 * plane]!, p3 = planes[q + 3 * plane]!
        const p4 = planes[q + 4 * plane]!, p5 = planes[q + 5 * plane]!, p6 = planes[q + 6 * plane]!, p7 = planes[q + 7 * plane]!
        for (let i = 0, s = 0; k + i < n; i++, s += 8, w += 2) {
          dst[w] = ((p0 >>> s) & 255) | (((p1 >>> s) & 255) << 8) | (((p2 >>> s) & 255) << 16) | (((p3 >>> s) & 255) << 24)
          dst[w + 1] = ((p4 >>> s) & 255) | (((p5 >>> s) & 255) << 8) | (((p6 >>> s) & 255) << 16) | (((p7 >>> s) & 255) << 24)
        }
      }
    }
  }
  return Array.from({ length: columns }, (_, c) => out.subarray(c * n, (c + 1) * n))
}
