// The messages of one MCAP chunk record read on its own (the recorder knows where it wrote each chunk):
// no channel records are needed, unlike a stream reader that starts in the middle of a file.
import { zstd } from './compression'

const OP_CHUNK = 0x06
const OP_MESSAGE = 0x05

export interface ChunkMessage {
  channelId: number
  logTimeNs: number
  data: Uint8Array
}

/** `bytes` starts with a chunk record (opcode, length, then MCAP's chunk fields). */
export function messagesOfChunk(bytes: Uint8Array): ChunkMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes[0] !== OP_CHUNK) throw new Error(`expected a chunk record, found opcode ${bytes[0]}`)
  // opcode u8, length u64, start u64, end u64, uncompressed size u64, crc u32, compression string, records u64 + bytes
  const uncompressed = Number(view.getBigUint64(9 + 16, true))
  let at = 9 + 28
  const nameLength = view.getUint32(at, true)
  const compression = new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + nameLength))
  at += 4 + nameLength
  const length = Number(view.getBigUint64(at, true))
  at += 8
  const stored = bytes.subarray(at, at + length)
  let records: Uint8Array
  if (compression === '') records = stored
  else if (compression === 'zstd') records = zstd().decompress(stored, uncompressed)
  else throw new Error(`chunk compression '${compression}' is not supported`)
  const r = new DataView(records.buffer, records.byteOffset, records.byteLength)
  const out: ChunkMessage[] = []
  for (let p = 0; p + 9 <= records.byteLength; ) {
    const op = records[p]!
    const n = Number(r.getBigUint64(p + 1, true))
    if (op === OP_MESSAGE) {
      // channel u16, sequence u32, log time u64, publish time u64, data
      out.push({ channelId: r.getUint16(p + 9, true), logTimeNs: Number(r.getBigUint64(p + 15, true)), data: records.subarray(p + 9 + 22, p + 9 + n) })
    }
    p += 9 + n
  }
  return out
}
