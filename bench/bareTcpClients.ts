// Clients of the fan-out floor (bareTcpServer.ts): bare TCP sockets that cut the stream into the
// server's unmasked WebSocket frames by their headers and keep each frame's number and receipt time,
// reporting as clientProcess.ts does. The least a reader of these bytes can do in Node.
import { connect, type Socket } from 'node:net'
import type { FromClients } from './clientProcess'
import { Receipts, sendToParent } from './childMeters'

const [url, countArg, capacityArg] = process.argv.slice(2)
const { hostname, port } = new URL(url!)
const count = Number(countArg)
const capacity = Number(capacityArg)
let sockets: Socket[] = []
const receipts = new Receipts(count, capacity, () => sockets.forEach((s) => s.destroy()))

/** The most a frame's start takes: its WebSocket header (at most 10 bytes) and the HERT frame number (at 4..12 of the payload). */
const START_BYTES = 22

/**
 * One client's place in the stream: how much of the current frame is left, and the start of the next one
 * gathered in a buffer of its own (across chunks when it must be), with no allocation per frame.
 */
function reader(index: number): (chunk: Buffer) => void {
  const start = Buffer.alloc(START_BYTES)
  let have = 0
  let remaining = 0
  let frame = 0
  return (chunk) => {
    let offset = 0
    while (offset < chunk.length) {
      if (remaining === 0) {
        // A frame starts: the WebSocket header (2, 4 or 10 bytes by its length form), then the payload.
        const form = have >= 2 ? start[1]! & 0x7f : -1
        const need = form < 0 ? 2 : (form === 127 ? 10 : form === 126 ? 4 : 2) + 12
        const take = Math.min(need - have, chunk.length - offset)
        chunk.copy(start, have, offset, offset + take)
        have += take
        offset += take
        if (have < need || form < 0) continue
        const headerBytes = need - 12
        const length = form === 127 ? start.readUInt32BE(2) * 2 ** 32 + start.readUInt32BE(6) : form === 126 ? start.readUInt16BE(2) : form
        frame = Number(start.readBigUInt64LE(headerBytes + 4))
        // The rest of this frame after the bytes gathered (a HERT payload is at least 24 bytes).
        remaining = headerBytes + length - have
        have = 0
        if (remaining > 0) continue
      } else {
        const take = Math.min(remaining, chunk.length - offset)
        remaining -= take
        offset += take
        if (remaining > 0) continue
      }
      // Like a WebSocket client's message event, a frame counts once its last byte is in.
      receipts.record(index, frame)
    }
  }
}

async function main(): Promise<void> {
  sockets = await Promise.all(
    Array.from({ length: count }, (_, index) => new Promise<Socket>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(socket))
      socket.on('data', reader(index))
      socket.once('error', reject)
    }))
  )
  sendToParent({ kind: 'ready' } satisfies FromClients)
}

void main()
