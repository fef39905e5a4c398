// The floor of the fan-out benchmark: the bytes the server's fan-out writes (each tick one binary
// WebSocket frame of a HERT payload per client, the first client one further on each tick), written by a
// bare Node TCP server with no engine, no WebSocket library and no lag probes, to bare TCP clients
// (bareTcpClients.ts). It speaks fanoutServer.ts's IPC, so spread.ts measures both the same way: what
// the real server adds over this is the server's; what this costs is the machine's loopback and Node's net.
import { createServer, type Socket } from 'node:net'
import { hertByteLength, writeHert } from '../src/shared/protocol/hert'
import { wireFrame } from '../src/main/engine/server/wireFrame'
import { sendToParent, ServerMeter, wallMs } from './childMeters'

const signals = Number(process.argv[2])
const telemetryHz = Number(process.argv[3])

const sockets: Socket[] = []
const server = createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => undefined)
  sockets.push(socket)
})
const payload = Buffer.alloc(hertByteLength(signals))
const values = Float64Array.from({ length: signals }, (_, i) => i)
const meter = new ServerMeter(() => {
  for (const s of sockets) s.destroy()
  server.close(() => process.exit(0))
})
let frame = 0
let served = 0
const epoch = performance.now()
const period = 1000 / telemetryHz

function tick(): void {
  frame++
  if (sockets.length > 0) {
    writeHert(new DataView(payload.buffer, payload.byteOffset, payload.length), frame, frame / telemetryHz, values)
    const wire = wireFrame(payload)
    sendToParent({ kind: 'published', frame, at: wallMs() })
    const start = performance.now()
    const first = served++ % sockets.length
    for (let i = 0; i < sockets.length; i++) sockets[(first + i) % sockets.length]!.write(wire)
    meter.tick(performance.now() - start, sockets.length)
  }
  setTimeout(tick, Math.max(0, epoch + (frame + 1) * period - performance.now()))
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  tick()
  sendToParent({ kind: 'ready', port: address.port })
})
