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

/** One client's place in the stream: the bytes of the current frame's header and how much of it is left. */
function reader(index: number): (chunk: Buffer) => void {
  let header = Buffer.alloc(0)
  let remaining = 0
  let frame = 0
  // Like a WebSocket client's message event, a frame counts once its last byte is in.
  const received = (): void => receipts.record(index, frame)
  return (chunk) => {
    let offset = 0
    while (offset < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - offset)
        remaining -= take
        offset += take
        if (remaining === 0) received()
        continue
      }
      // A frame starts: its header (4 bytes for 126..65535, 10 beyond), then the HERT header's frame
      // number; every frame is longer than the 24 bytes gathered here (a HERT header alone is 24).
      const take = Math.min(24 - header.length, chunk.length - offset)
      header = Buffer.concat([header, chunk.subarray(offset, offset + take)])
      offset += take
      if (header.length < 24) continue
      const long = header[1] === 127
      const headerBytes = long ? 10 : 4
      const length = long ? header.readUInt32BE(2) * 2 ** 32 + header.readUInt32BE(6) : header.readUInt16BE(2)
      frame = Number(header.readBigUInt64LE(headerBytes + 4))
      remaining = headerBytes + length - 24
      header = Buffer.alloc(0)
      if (remaining === 0) received()
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
