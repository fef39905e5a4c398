// The recording's MCAP writer: every message in a chunk of its own (on disk, whole and with its CRC, as
// soon as it is added), records encoded by @mcap/core's McapRecordBuilder. It exists beside @mcap/core's
// McapWriter because that one keeps an object per chunk for the summary (measured ~470 B: BigInts and a
// Map), and a recording writes a chunk per batch, 18,000 an hour at the demo's rate: here the chunk
// index is packed, 64 B a chunk.
import { crc32 } from 'node:zlib'
import { McapConstants, McapRecordBuilder, type McapTypes } from '@mcap/core'

/** Where a chunk and its message index were written, and how long they are together. */
export interface WrittenChunk {
  offset: number
  length: number
}

/** Fields of one chunk's index, packed as float64 (offsets and ns fit in 2^53: 104 days, 8 PiB). */
const FIELDS = 7
const [START, END, CHUNK_OFFSET, CHUNK_LENGTH, INDEX_LENGTH, RECORDS_SIZE, CHANNEL] = [0, 1, 2, 3, 4, 5, 6]
/** Chunk index records are written to the file this many at a time (the summary is not built whole). */
const SUMMARY_FLUSH = 1024
/** A chunk's fields before its records: start, end, uncompressed size (u64), CRC (u32), compression "" (u32 0), records' length (u64). */
const CHUNK_FIXED = 8 + 8 + 8 + 4 + 4 + 8
/** A message record up to its data: opcode, length, channel (u16), sequence (u32), log and publish time (u64). */
const MESSAGE_HEAD = 9 + 2 + 4 + 8 + 8
/** A message index record of one message: opcode, length, channel (u16), array length (u32), one (time, offset). */
const MESSAGE_INDEX_RECORD = 9 + 2 + 4 + 16

export class McapFileWriter {
  private readonly builder = new McapRecordBuilder()
  /** addMessage's chunk, message and index, laid out in one piece (grown as batches need, reused). */
  private piece = new Uint8Array(64 * 1024)
  private pieceView = new DataView(this.piece.buffer)
  private position = 0
  private dataCrc = 0
  private chunks = new Float64Array(FIELDS * 256)
  private chunkCount = 0
  private readonly schemas: McapTypes.Schema[] = []
  private readonly channels: McapTypes.Channel[] = []
  private readonly channelCounts = new Map<number, bigint>()
  private readonly metadataIndex: McapTypes.MetadataIndex[] = []
  private readonly attachmentIndex: McapTypes.AttachmentIndex[] = []
  private messageCount = 0n
  private startTime = 0n
  private endTime = 0n

  /** `write` takes each piece of the file in order, synchronously (the builder's buffer is reused after it). */
  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  start(header: McapTypes.Header): void {
    this.builder.writeMagic()
    this.builder.writeHeader(header)
    this.flush(true)
  }

  addMetadata(metadata: McapTypes.Metadata): void {
    const offset = this.position
    const length = this.builder.writeMetadata(metadata)
    this.metadataIndex.push({ name: metadata.name, offset: BigInt(offset), length })
    this.flush(true)
  }

  addAttachment(attachment: McapTypes.Attachment): void {
    const offset = this.position
    const length = this.builder.writeAttachment(attachment)
    const { name, mediaType, logTime, createTime } = attachment
    this.attachmentIndex.push({ name, mediaType, logTime, createTime, offset: BigInt(offset), length, dataSize: BigInt(attachment.data.byteLength) })
    this.flush(true)
  }

  registerSchema(schema: Omit<McapTypes.Schema, 'id'>): number {
    const record = { ...schema, id: this.schemas.length + 1 }
    this.schemas.push(record)
    this.builder.writeSchema(record)
    this.flush(true)
    return record.id
  }

  registerChannel(channel: Omit<McapTypes.Channel, 'id'>): number {
    const record = { ...channel, id: this.channels.length }
    this.channels.push(record)
    this.builder.writeChannel(record)
    this.flush(true)
    return record.id
  }

  /**
   * Writes `message` as a chunk of its own with its message index; returns where. These three records
   * are laid out here rather than by McapRecordBuilder, which copies a payload three times on the way
   * (its records, the chunk, the file's piece): here it is copied once, into `piece` (mcapFile.test.ts
   * checks the bytes against McapRecordBuilder's).
   */
  addMessage(message: McapTypes.Message): WrittenChunk {
    const size = message.data.byteLength
    const recordsSize = MESSAGE_HEAD + size
    const chunkContent = CHUNK_FIXED + recordsSize
    const total = 9 + chunkContent + MESSAGE_INDEX_RECORD
    if (this.piece.byteLength < total) {
      this.piece = new Uint8Array(Math.max(total, 2 * this.piece.byteLength))
      this.pieceView = new DataView(this.piece.buffer)
    }
    const piece = this.piece
    const v = this.pieceView
    const { Opcode } = McapConstants
    // Chunk: opcode, length, start and end time, uncompressed size and CRC (below), compression "", records.
    v.setUint8(0, Opcode.CHUNK)
    v.setBigUint64(1, BigInt(chunkContent), true)
    v.setBigUint64(9, message.logTime, true)
    v.setBigUint64(17, message.logTime, true)
    v.setBigUint64(25, BigInt(recordsSize), true)
    v.setUint32(37, 0, true)
    v.setBigUint64(41, BigInt(recordsSize), true)
    // Its one record, the message: opcode, length, channel, sequence, log and publish time, data.
    const m = 9 + CHUNK_FIXED
    v.setUint8(m, Opcode.MESSAGE)
    v.setBigUint64(m + 1, BigInt(MESSAGE_HEAD - 9 + size), true)
    v.setUint16(m + 9, message.channelId, true)
    v.setUint32(m + 11, message.sequence, true)
    v.setBigUint64(m + 15, message.logTime, true)
    v.setBigUint64(m + 23, message.publishTime, true)
    piece.set(message.data, m + MESSAGE_HEAD)
    v.setUint32(33, crc32(piece.subarray(m, m + recordsSize)), true)
    // The message index: the chunk's one message, at offset 0 of its records.
    const x = 9 + chunkContent
    v.setUint8(x, Opcode.MESSAGE_INDEX)
    v.setBigUint64(x + 1, BigInt(MESSAGE_INDEX_RECORD - 9), true)
    v.setUint16(x + 9, message.channelId, true)
    v.setUint32(x + 11, 16, true)
    v.setBigUint64(x + 15, message.logTime, true)
    v.setBigUint64(x + 23, 0n, true)
    const offset = this.position
    const bytes = piece.subarray(0, total)
    this.dataCrc = crc32(bytes, this.dataCrc)
    this.write(bytes)
    this.position += total
    this.note(message, offset, 9 + chunkContent, MESSAGE_INDEX_RECORD, recordsSize)
    return { offset, length: total }
  }

  /** The data section's end, then the summary (schemas, channels, statistics, indexes), the footer. */
  end(): void {
    this.builder.writeDataEnd({ dataSectionCrc: this.dataCrc })
    this.flush(false)
    const summaryStart = this.position
    let summaryCrc = 0
    const offsets: McapTypes.SummaryOffset[] = []
    const group = (opcode: number, write: () => void): void => {
      const start = this.position
      write()
      summaryCrc = crc32(this.builder.buffer, summaryCrc)
      this.flush(false)
      if (this.position > start) offsets.push({ groupOpcode: opcode, groupStart: BigInt(start), groupLength: BigInt(this.position - start) })
    }
    const { Opcode } = McapConstants
    group(Opcode.SCHEMA, () => this.schemas.forEach((s) => this.builder.writeSchema(s)))
    group(Opcode.CHANNEL, () => this.channels.forEach((c) => this.builder.writeChannel(c)))
    group(Opcode.STATISTICS, () => this.builder.writeStatistics(this.statistics()))
    group(Opcode.METADATA_INDEX, () => this.metadataIndex.forEach((m) => this.builder.writeMetadataIndex(m)))
    group(Opcode.ATTACHMENT_INDEX, () => this.attachmentIndex.forEach((a) => this.builder.writeAttachmentIndex(a)))
    const start = this.position
    for (let i = 0; i < this.chunkCount; i++) {
      this.builder.writeChunkIndex(this.chunkIndex(i))
      if ((i + 1) % SUMMARY_FLUSH === 0) {
        summaryCrc = crc32(this.builder.buffer, summaryCrc)
        this.flush(false)
      }
    }
    summaryCrc = crc32(this.builder.buffer, summaryCrc)
    this.flush(false)
    if (this.position > start) offsets.push({ groupOpcode: Opcode.CHUNK_INDEX, groupStart: BigInt(start), groupLength: BigInt(this.position - start) })
    const summaryOffsetStart = this.position
    for (const o of offsets) this.builder.writeSummaryOffset(o)
    // The footer's CRC covers the summary up to and including the footer's fields before it.
    const footer = { summaryStart: BigInt(summaryStart), summaryOffsetStart: BigInt(summaryOffsetStart), summaryCrc: 0 }
    this.builder.writeFooter(footer)
    const footerFields = this.builder.buffer.subarray(0, this.builder.length - 4)
    footer.summaryCrc = crc32(footerFields, summaryCrc)
    this.builder.reset()
    for (const o of offsets) this.builder.writeSummaryOffset(o)
    this.builder.writeFooter(footer)
    this.builder.writeMagic()
    this.flush(false)
  }

  private note(message: McapTypes.Message, offset: number, chunkLength: number, indexLength: number, recordsSize: number): void {
    if ((this.chunkCount + 1) * FIELDS > this.chunks.length) {
      const grown = new Float64Array(this.chunks.length * 2)
      grown.set(this.chunks)
      this.chunks = grown
    }
    const at = this.chunkCount++ * FIELDS
    const c = this.chunks
    c[at + START] = c[at + END] = Number(message.logTime)
    c[at + CHUNK_OFFSET] = offset
    c[at + CHUNK_LENGTH] = chunkLength
    c[at + INDEX_LENGTH] = indexLength
    c[at + RECORDS_SIZE] = recordsSize
    c[at + CHANNEL] = message.channelId
    if (this.messageCount === 0n || message.logTime < this.startTime) this.startTime = message.logTime
    if (this.messageCount === 0n || message.logTime > this.endTime) this.endTime = message.logTime
    this.messageCount++
    this.channelCounts.set(message.channelId, (this.channelCounts.get(message.channelId) ?? 0n) + 1n)
  }

  private chunkIndex(i: number): McapTypes.ChunkIndex {
    const c = this.chunks
    const at = i * FIELDS
    const chunkStartOffset = BigInt(c[at + CHUNK_OFFSET]!)
    const chunkLength = BigInt(c[at + CHUNK_LENGTH]!)
    const size = BigInt(c[at + RECORDS_SIZE]!)
    return {
      messageStartTime: BigInt(c[at + START]!),
      messageEndTime: BigInt(c[at + END]!),
      chunkStartOffset,
      chunkLength,
      // The message index follows its chunk.
      messageIndexOffsets: new Map([[c[at + CHANNEL]!, chunkStartOffset + chunkLength]]),
      messageIndexLength: BigInt(c[at + INDEX_LENGTH]!),
      compression: '',
      compressedSize: size,
      uncompressedSize: size
    }
  }

  private statistics(): McapTypes.Statistics {
    return {
      messageCount: this.messageCount,
      schemaCount: this.schemas.length,
      channelCount: this.channels.length,
      attachmentCount: this.attachmentIndex.length,
      metadataCount: this.metadataIndex.length,
      chunkCount: this.chunkCount,
      messageStartTime: this.startTime,
      messageEndTime: this.endTime,
      channelMessageCounts: this.channelCounts
    }
  }

  /** Hands the builder's bytes to `write`; those of the data section count in its CRC. */
  private flush(data: boolean): void {
    const bytes = this.builder.buffer
    if (bytes.byteLength === 0) return
    if (data) this.dataCrc = crc32(bytes, this.dataCrc)
    this.write(bytes)
    this.position += bytes.byteLength
    this.builder.reset()
  }
}
