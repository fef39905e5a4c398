// The floor of the fan-out benchmark: the bytes the server's fan-out writes (each tick one binary
// WebSocket frame of a HERT payload per client, the first client one further on each tick), written by a
// bare Node TCP server with no engine, no WebSocket library and no lag probes, to bare TCP clients
// (bareTcpClients.ts). It speaks fanoutServer.ts's IPC, so spread.ts measures both the same way: what
// the real server adds over this is the server's; what this costs is the machine's loopback and Node's net.
import { readFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { hertByteLength, writeHert } from '../src/shared/protocol/hert'
import { wireFrame } from '../src/main/engine/server/wireFrame'

const signals = Number(process.argv[2])
const telemetryHz = Number(process.argv[3])
const send = (message: unknown): void => void process.send?.(message)

function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

const sockets: Socket[] = []
const server = createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => undefined)
  sockets.push(socket)
})
const payload = Buffer.alloc(hertByteLength(signals))
const values = Float64Array.from({ length: signals }, (_, i) => i)
let measuring = false
let sendMs: number[] = []
let sent = 0
let cpuStart = process.cpuUsage()
let mainStart = mainThreadNs()
let wallStart = process.hrtime.bigint()
let frame = 0
let served = 0
const epoch = performance.now()
const period = 1000 / telemetryHz

function tick(): void {
  frame++
  if (sockets.length > 0) {
    writeHert(new DataView(payload.buffer, payload.byteOffset, payload.length), frame, frame / telemetryHz, values)
    const wire = wireFrame(payload)
    send({ kind: 'published', frame, at: performance.timeOrigin + performance.now() })
    const start = performance.now()
    const first = served++ % sockets.length
    for (let i = 0; i < sockets.length; i++) sockets[(first + i) % sockets.length]!.write(wire)
    if (measuring) {
      sendMs.push(performance.now() - start)
      sent += sockets.length
    }
  }
  setTimeout(tick, Math.max(0, epoch + (frame + 1) * period - performance.now()))
}

process.on('message', (message: { kind: string }) => {
  if (message.kind === 'cpu-start') {
    cpuStart = process.cpuUsage()
    mainStart = mainThreadNs()
    wallStart = process.hrtime.bigint()
    measuring = true
    sendMs = []
    sent = 0
  } else if (message.kind === 'cpu-stop') {
    measuring = false
    const cpu = process.cpuUsage(cpuStart)
    const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000
    send({ kind: 'cpu', percent: ((cpu.user + cpu.system) / wallUs) * 100, cpuUs: cpu.user + cpu.system, mainUs: (mainThreadNs() - mainStart) / 1000, ticks: sendMs.length, sent, sendMs: Float64Array.from(sendMs).sort() })
  } else if (message.kind === 'stop') {
    for (const s of sockets) s.destroy()
    server.close(() => process.exit(0))
  }
})

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  tick()
  send({ kind: 'ready', port: address.port })
})
