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

export class McapFileWriter {
  private readonly builder = new McapRecordBuilder()
  /** A chunk's records (its one message), built before the chunk that holds them. */
  private readonly records = new McapRecordBuilder()
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

  /** Writes `message` as a chunk of its own with its message index; returns where. */
  addMessage(message: McapTypes.Message): WrittenChunk {
    this.records.reset()
    this.records.writeMessage(message)
    const recordsBytes = this.records.buffer
    const offset = this.position
    const chunkLength = this.builder.writeChunk({
      messageStartTime: message.logTime,
      messageEndTime: message.logTime,
      uncompressedSize: BigInt(recordsBytes.byteLength),
      uncompressedCrc: crc32(recordsBytes),
      compression: '',
      records: recordsBytes
    })
    // The one message is at offset 0 of the chunk's records.
    const indexLength = this.builder.writeMessageIndex({ channelId: message.channelId, records: [[message.logTime, 0n]] })
    this.flush(true)
    this.note(message, offset, Number(chunkLength), Number(indexLength), recordsBytes.byteLength)
    return { offset, length: this.position - offset }
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
