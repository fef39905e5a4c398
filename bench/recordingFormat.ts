// Format choice for recordings: MCAP (@mcap/core) against Arrow IPC (apache-arrow) on the criteria of issue 12.
import { closeSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeSync, mkdtempSync, readSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { McapIndexedReader, McapStreamReader, McapWriter, type IReadable } from '@mcap/core'
import * as zstd from '@foxglove/wasm-zstd'
import { compressionRegistry, Float64, Field, makeData, RecordBatch, RecordBatchFileReader, RecordBatchFileWriter, RecordBatchStreamReader, Schema, Struct } from 'apache-arrow'
import { CompressionType } from 'apache-arrow/fb/compression-type'
import { printTable } from './table'

const SIGNALS = 100
const RATE_HZ = 1000
const SECONDS = 60
const BATCH = 100 // frames per batch: 100 ms at 1 kHz
const FRAMES = RATE_HZ * SECONDS

/** One batch of simulated-looking data: frame, time and SIGNALS columns. */
function batchValues(first: number, out: Float64Array[]): void {
  for (let s = 0; s < SIGNALS; s++) {
    const col = out[s]!
    for (let k = 0; k < BATCH; k++) {
      const t = (first + k) / RATE_HZ
      col[k] = s % 3 === 0 ? Math.sin(t * (1 + s / 10)) * 10 : s % 3 === 1 ? Math.floor(t) : t * s + Math.sin(t * 50) * 0.01
    }
  }
}

/** Content size from a zstd frame header (Arrow's codec hook does not pass it; MCAP chunks carry it). */
function zstdContentSize(data: Uint8Array): number {
  const fhd = data[4]!
  const fcsFlag = fhd >> 6
  const single = (fhd >> 5) & 1
  const didFlag = fhd & 3
  let pos = 5 + (single ? 0 : 1) + [0, 1, 2, 4][didFlag]!
  const view = new DataView(data.buffer, data.byteOffset + pos)
  if (fcsFlag === 0) return single ? data[pos]! : -1
  if (fcsFlag === 1) return view.getUint16(0, true) + 256
  if (fcsFlag === 2) return view.getUint32(0, true)
  pos = 0
  return Number(view.getBigUint64(0, true))
}

function fileReadable(path: string): IReadable {
  const fd = openSync(path, 'r')
  const size = BigInt(statSync(path).size)
  return {
    size: () => Promise.resolve(size),
    read: (offset, length) => {
      const out = new Uint8Array(Number(length))
      readSync(fd, out, 0, out.length, Number(offset))
      return Promise.resolve(out)
    }
  }
}

interface Result {
  writeNsPerFrame: number
  bytesPerFrame: number
  heapGrowthMb: number
  recoveredAfterCut: number
  sliceMs: number
  sliceFrames: number
  sliceReadsIndex: string
}

/** Byte planes of float64s (byte k of every value together): floats from a simulation compress far better. */
export function shuffle(values: Float64Array, out: Uint8Array): void {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const n = values.length
  for (let i = 0; i < n; i++) for (let k = 0; k < 8; k++) out[k * n + i] = bytes[i * 8 + k]!
}

async function mcapCase(dir: string, shuffled = false): Promise<Result> {
  const path = join(dir, 'bench.mcap')
  const fd = openSync(path, 'w')
  let position = 0n
  const writer = new McapWriter({
    writable: { write: (b) => (writeSync(fd, b), (position += BigInt(b.byteLength)), Promise.resolve()), position: () => position },
    chunkSize: 0, // every message (one batch) closes its chunk: the file is never more than a batch behind
    compressChunk: (data) => ({ compression: 'zstd', compressedData: zstd.compress(data, 1) })
  })
  const cols = Array.from({ length: SIGNALS }, () => new Float64Array(BATCH))
  const payload = new Float64Array(2 * BATCH + SIGNALS * BATCH)
  const shuffledBytes = new Uint8Array(payload.byteLength)
  const heap0 = process.memoryUsage().heapUsed
  let heapMax = heap0
  const start = performance.now()
  await writer.start({ profile: 'hermes', library: 'bench' })
  const schemaId = await writer.registerSchema({ name: 'hermes.frames', encoding: 'hermes-frames-v1', data: new Uint8Array() })
  const channelId = await writer.registerChannel({ topic: '/frames', schemaId, messageEncoding: 'hermes-frames-v1', metadata: new Map() })
  for (let f = 0; f < FRAMES; f += BATCH) {
    batchValues(f, cols)
    for (let k = 0; k < BATCH; k++) {
      payload[k] = f + k
      payload[BATCH + k] = ((f + k) * 1e9) / RATE_HZ
    }
    for (let s = 0; s < SIGNALS; s++) payload.set(cols[s]!, 2 * BATCH + s * BATCH)
    const t = BigInt(Math.round((f * 1e9) / RATE_HZ))
    if (shuffled) shuffle(payload, shuffledBytes)
    await writer.addMessage({ channelId, sequence: f / BATCH, logTime: t, publishTime: t, data: shuffled ? shuffledBytes : new Uint8Array(payload.buffer) })
    if (f % 10_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)
  }
  await writer.end()
  closeSync(fd)
  const seconds = (performance.now() - start) / 1000
  const size = statSync(path).size

  // Time range through the chunk index: one second from the middle.
  const reader = await McapIndexedReader.Initialize({ readable: fileReadable(path), decompressHandlers: { zstd: (d, n) => zstd.decompress(d, Number(n)) } })
  const t0 = performance.now()
  let sliceFrames = 0
  for await (const m of reader.readMessages({ startTime: 30_000_000_000n, endTime: 30_999_999_999n })) sliceFrames += m.data.byteLength / 8 / (SIGNALS + 2)
  const sliceMs = performance.now() - t0

  // SIGKILL leaves what was written: cut the file in the middle of a chunk and read what stays.
  const cut = Math.floor(size * 0.5) + 17
  truncateSync(path, cut)
  const stream = new McapStreamReader({ decompressHandlers: { zstd: (d, n) => zstd.decompress(d, Number(n)) } })
  stream.append(readFileSync(path))
  let recovered = 0
  for (let r = stream.nextRecord(); r; r = stream.nextRecord()) if (r.type === 'Message') recovered += BATCH
  rmSync(path)
  return {
    writeNsPerFrame: (seconds * 1e9) / FRAMES,
    bytesPerFrame: size / FRAMES,
    heapGrowthMb: (heapMax - heap0) / 1e6,
    recoveredAfterCut: recovered,
    sliceMs,
    sliceFrames,
    sliceReadsIndex: 'chunk index (summary), 1 chunk per batch'
  }
}

async function arrowCase(dir: string): Promise<Result> {
  compressionRegistry.set(CompressionType.ZSTD, { encode: (d) => zstd.compress(d, 1), decode: (d) => zstd.decompress(d, zstdContentSize(d)) })
  const path = join(dir, 'bench.arrow')
  const fields = [new Field('frame', new Float64()), new Field('time_ns', new Float64()), ...Array.from({ length: SIGNALS }, (_, s) => new Field(`s${s}`, new Float64()))]
  const schema = new Schema(fields)
  const fd = openSync(path, 'w')
  // The file format has the index (a footer of batch offsets) that a time-range read needs. Its writer
  // queues bytes for an async stream; this one writes them to the file as they come (bounded memory).
  class FileSink extends RecordBatchFileWriter {
    protected override _write(input: Parameters<RecordBatchFileWriter["_write"]>[0]): this {
      const chunk = input as Uint8Array
      if (this._started && chunk.byteLength > 0) {
        writeSync(fd, chunk)
        this._position += chunk.byteLength
      }
      return this
    }
  }
  const writer = new FileSink({ compressionType: CompressionType.ZSTD })
  writer.reset(undefined, schema)
  const cols = Array.from({ length: SIGNALS }, () => new Float64Array(BATCH))
  const heap0 = process.memoryUsage().heapUsed
  let heapMax = heap0
  const start = performance.now()
  for (let f = 0; f < FRAMES; f += BATCH) {
    batchValues(f, cols)
    const frame = Float64Array.from({ length: BATCH }, (_, k) => f + k)
    const time = Float64Array.from({ length: BATCH }, (_, k) => ((f + k) * 1e9) / RATE_HZ)
    const children = [frame, time, ...cols].map((data) => makeData({ type: new Float64(), data: data.slice() }))
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(fields), length: BATCH, children })))
    if (f % 10_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)
  }
  writer.finish()
  closeSync(fd)
  const seconds = (performance.now() - start) / 1000
  const size = statSync(path).size

  // Time range: the footer has batch offsets, not times, so binary search over batches' first frames.
  const t0 = performance.now()
  // A buffer source makes the sync reader (the async one is for streams).
  const file = RecordBatchFileReader.from(readFileSync(path)) as RecordBatchFileReader
  file.open()
  const count = file.numRecordBatches
  const firstTime = (i: number): number => file.readRecordBatch(i)!.getChildAt(1)!.get(0) as number
  let lo = 0
  let hi = count - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (firstTime(mid) <= 30e9) lo = mid
    else hi = mid - 1
  }
  let sliceFrames = 0
  for (let i = lo; i < count && firstTime(i) < 31e9; i++) sliceFrames += file.readRecordBatch(i)!.numRows
  const sliceMs = performance.now() - t0

  // A killed writer leaves no footer: the file format does not open; the stream format keeps what was whole.
  const cut = Math.floor(size * 0.5) + 17
  truncateSync(path, cut)
  let recovered = 0
  let fileOpens = true
  try {
    RecordBatchFileReader.from(readFileSync(path)).open()
  } catch {
    fileOpens = false
  }
  try {
    // Read the same bytes as a stream (skipping the file magic) to see what a stream writer would keep.
    const bytes = readFileSync(path).subarray(8)
    for (const batch of RecordBatchStreamReader.from(bytes)) recovered += batch.numRows
  } catch {
    // The partial batch at the end throws; what came before it was counted.
  }
  rmSync(path)
  return {
    writeNsPerFrame: (seconds * 1e9) / FRAMES,
    bytesPerFrame: size / FRAMES,
    heapGrowthMb: (heapMax - heap0) / 1e6,
    recoveredAfterCut: fileOpens ? recovered : -recovered,
    sliceMs,
    sliceFrames,
    sliceReadsIndex: 'footer (file format only) + binary search'
  }
}

export async function recordingFormatBench(): Promise<void> {
  await zstd.isLoaded
  const dir = mkdtempSync(join(tmpdir(), 'hermes-format-'))
  try {
    const rawPerFrame = (SIGNALS + 2) * 8
    const rows: string[][] = []
    for (const [name, run] of [
      ['MCAP (@mcap/core, zstd chunks)', (d: string) => mcapCase(d, false)],
      ['MCAP, byte planes shuffled before zstd', (d: string) => mcapCase(d, true)],
      ['Arrow IPC file (apache-arrow, zstd buffers)', arrowCase]
    ] as const) {
      const r = await run(dir)
      rows.push([
        name,
        r.writeNsPerFrame.toFixed(0),
        `${r.bytesPerFrame.toFixed(0)} (${((100 * r.bytesPerFrame) / rawPerFrame).toFixed(0)} %)`,
        r.heapGrowthMb.toFixed(1),
        `${Math.abs(r.recoveredAfterCut)} of ~${Math.round(FRAMES / 2)} frames read`,
        `${r.sliceMs.toFixed(1)} ms (${r.sliceFrames} frames)`,
        r.sliceReadsIndex
      ])
    }
    printTable(
      `Recording format: ${SIGNALS} signals at ${RATE_HZ} Hz for ${SECONDS} s, batches of ${BATCH} frames (raw ${rawPerFrame} B/frame)`,
      ['format', 'write ns/frame', 'bytes/frame', 'heap growth MB', 'cut at half (SIGKILL)', '1 s slice read', 'index'],
      rows
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
