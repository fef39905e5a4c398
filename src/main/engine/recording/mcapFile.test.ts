// The recording's MCAP writer against @mcap/core's readers (Foxglove's): what it writes is read back
// whole, by the index and record by record, with every CRC checked, and a flipped byte is caught.
import { crc32 } from 'node:zlib'
import { McapConstants, McapIndexedReader, McapRecordBuilder, McapStreamReader, type McapTypes } from '@mcap/core'
import { describe, expect, it } from 'vitest'
import { McapFileWriter } from './mcapFile'

interface Written {
  file: Uint8Array
  messages: McapTypes.Message[]
  chunks: { offset: number; length: number }[]
}

/** A file like a recording's: metadata, an attachment, two channels, `n` messages interleaved. */
function writeFile(n: number): Written {
  const parts: Uint8Array[] = []
  const writer = new McapFileWriter((bytes) => parts.push(bytes.slice()))
  writer.start({ profile: 'hermes', library: 'test' })
  writer.addMetadata({ name: 'run', metadata: new Map([['rate_hz', '100']]) })
  writer.addAttachment({ name: 'config.yaml', mediaType: 'application/yaml', logTime: 0n, createTime: 0n, data: new TextEncoder().encode('modules: {}\n') })
  const schema = writer.registerSchema({ name: 'frames', encoding: 'jsonschema', data: new TextEncoder().encode('{}') })
  const frames = writer.registerChannel({ topic: '/frames', schemaId: schema, messageEncoding: 'bin', metadata: new Map() })
  const events = writer.registerChannel({ topic: '/events', schemaId: schema, messageEncoding: 'json', metadata: new Map([['k', 'v']]) })
  const messages: McapTypes.Message[] = []
  const chunks: { offset: number; length: number }[] = []
  for (let i = 0; i < n; i++) {
    // Sizes from 0 to 3 kB, so that records of every length class are written.
    const data = Uint8Array.from({ length: (i * 997) % 3000 }, (_, k) => (i + k) & 0xff)
    const event = i % 7 === 3
    const message = { channelId: event ? events : frames, sequence: i, logTime: BigInt(1_000_000 + i * 10_000_000), publishTime: BigInt(1_000_000 + i * 10_000_000), data }
    messages.push(message)
    chunks.push(writer.addMessage(message))
  }
  writer.end()
  const file = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    file.set(p, at)
    at += p.byteLength
  }
  return { file, messages, chunks }
}

const readable = (file: Uint8Array) => ({
  size: () => Promise.resolve(BigInt(file.byteLength)),
  read: (offset: bigint, length: bigint) => Promise.resolve(file.slice(Number(offset), Number(offset + length)))
})

function streamRecords(file: Uint8Array): McapTypes.TypedMcapRecord[] {
  const reader = new McapStreamReader({ validateCrcs: true })
  reader.append(file)
  const records: McapTypes.TypedMcapRecord[] = []
  for (let r; (r = reader.nextRecord()); ) records.push(r)
  if (!reader.done()) throw new Error('the stream reader did not reach the end of the file')
  return records
}

describe('McapFileWriter', () => {
  it('writes a file the indexed reader opens (summary CRC checked) with every message, chunk and count', async () => {
    const { file, messages } = writeFile(3000)
    const reader = await McapIndexedReader.Initialize({ readable: readable(file) })
    expect(reader.chunkIndexes).toHaveLength(3000)
    expect(reader.statistics).toMatchObject({ messageCount: 3000n, chunkCount: 3000, schemaCount: 1, channelCount: 2, metadataCount: 1, attachmentCount: 1 })
    expect(reader.statistics?.messageStartTime).toBe(messages[0]!.logTime)
    expect(reader.statistics?.messageEndTime).toBe(messages.at(-1)!.logTime)
    const perChannel = new Map<number, bigint>()
    for (const m of messages) perChannel.set(m.channelId, (perChannel.get(m.channelId) ?? 0n) + 1n)
    expect(reader.statistics?.channelMessageCounts).toEqual(perChannel)
    expect([...reader.channelsById.values()].map((c) => [c.id, c.topic, [...c.metadata]])).toEqual([
      [0, '/frames', []],
      [1, '/events', [['k', 'v']]]
    ])
    // Every message back, in order, with its bytes (chunk CRCs checked on the way).
    const back: McapTypes.Message[] = []
    for await (const m of reader.readMessages({ validateCrcs: true })) back.push(m)
    expect(back.map((m) => [m.channelId, m.sequence, m.logTime])).toEqual(messages.map((m) => [m.channelId, m.sequence, m.logTime]))
    for (let i = 0; i < back.length; i++) expect(Buffer.from(back[i]!.data).equals(Buffer.from(messages[i]!.data))).toBe(true)
    // Only one topic, and a time range, through the index.
    const events: bigint[] = []
    for await (const m of reader.readMessages({ topics: ['/events'], startTime: messages[100]!.logTime, endTime: messages[200]!.logTime })) events.push(m.logTime)
    expect(events).toEqual(messages.slice(100, 201).filter((m) => m.channelId === 1).map((m) => m.logTime))
    const metadata = []
    for await (const m of reader.readMetadata({ name: 'run' })) metadata.push([...m.metadata])
    expect(metadata).toEqual([[['rate_hz', '100']]])
    const attachments = []
    for await (const a of reader.readAttachments({ name: 'config.yaml' })) attachments.push(new TextDecoder().decode(a.data))
    expect(attachments).toEqual(['modules: {}\n'])
  })

  it('says where each chunk is: the chunk, then its message index, and nothing else in that span', () => {
    const { file, chunks } = writeFile(200)
    // Every record from the leading magic to the footer, by the length each one carries.
    const records: { opcode: number; offset: number; end: number }[] = []
    for (let at = 8; ; ) {
      const end = at + 9 + Number(new DataView(file.buffer, file.byteOffset + at + 1, 8).getBigUint64(0, true))
      records.push({ opcode: file[at]!, offset: at, end })
      if (file[at] === McapConstants.Opcode.FOOTER) break
      at = end
    }
    const { CHUNK, MESSAGE_INDEX } = McapConstants.Opcode
    expect(records.filter((r) => r.opcode === CHUNK).map((r) => r.offset)).toEqual(chunks.map((c) => c.offset))
    for (const c of chunks) {
      const i = records.findIndex((r) => r.offset === c.offset)
      expect(records[i + 1]!.opcode).toBe(MESSAGE_INDEX)
      expect(records[i + 1]!.end).toBe(c.offset + c.length)
    }
    expect(streamRecords(file).filter((r) => r.type === 'Message')).toHaveLength(200)
  })

  it('writes the data section CRC over every byte before DataEnd', async () => {
    const { file } = writeFile(50)
    const records = streamRecords(file)
    const dataEnd = records.find((r): r is McapTypes.TypedMcapRecords['DataEnd'] => r.type === 'DataEnd')!
    const reader = await McapIndexedReader.Initialize({ readable: readable(file) })
    // DataEnd is 13 bytes, right before the summary.
    expect(dataEnd.dataSectionCrc).toBe(crc32(file.subarray(0, Number(reader.footer.summaryStart) - 13)))
    expect(dataEnd.dataSectionCrc).not.toBe(0)
  })

  it('a flipped byte in a chunk or in the summary is caught by the readers', async () => {
    const { file, chunks } = writeFile(20)
    const inChunk = file.slice()
    inChunk[chunks[5]!.offset + chunks[5]!.length - 40]! ^= 0xff
    expect(() => streamRecords(inChunk)).toThrow(/CRC/)
    const inSummary = file.slice()
    inSummary[inSummary.byteLength - 60]! ^= 0xff
    await expect(McapIndexedReader.Initialize({ readable: readable(inSummary) })).rejects.toThrow(/CRC/)
  })

  it("lays out a message's chunk and message index byte for byte as McapRecordBuilder does", () => {
    for (const size of [0, 1, 77, 70_000, 200_000]) {
      const parts: Uint8Array[] = []
      const writer = new McapFileWriter((bytes) => parts.push(bytes.slice()))
      const data = Uint8Array.from({ length: size }, (_, k) => (k * 31 + size) & 0xff)
      const message = { channelId: 3, sequence: 0xfffffffe, logTime: 123_456_789_012_345n, publishTime: 98_765n, data }
      const at = writer.addMessage(message)
      const records = new McapRecordBuilder()
      records.writeMessage(message)
      const builder = new McapRecordBuilder()
      builder.writeChunk({ messageStartTime: message.logTime, messageEndTime: message.logTime, uncompressedSize: BigInt(records.length), uncompressedCrc: crc32(records.buffer), compression: '', records: records.buffer })
      builder.writeMessageIndex({ channelId: message.channelId, records: [[message.logTime, 0n]] })
      expect(parts).toHaveLength(1)
      expect(Buffer.from(parts[0]!).equals(Buffer.from(builder.buffer)), `${size} bytes`).toBe(true)
      expect(at).toEqual({ offset: 0, length: builder.length })
    }
  })
})
