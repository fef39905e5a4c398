// Child process of the fan-out, telemetry-rate and frame-age benchmarks: hosts some of the clients, so
// that the clients' own work is spread over processes instead of sharing one event loop (or the
// server's). Each client subscribes to every signal; while measuring, every binary frame's number and
// receipt time (wall clock at µs resolution, comparable across processes) are kept in preallocated
// arrays and sent back at the end, with this process's CPU time over the measurement.
import { WebSocket } from 'ws'
import { HERT_MAGIC } from '../src/shared/protocol/hert'

export type ToClients = { kind: 'start' } | { kind: 'stop' }
export type FromClients =
  | { kind: 'ready' }
  | { kind: 'receipts'; frames: Float64Array; at: Float64Array; perClient: number[]; cpuUs: number }

const [url, countArg, capacityArg] = process.argv.slice(2)
const count = Number(countArg)
const capacity = Number(capacityArg)
const send = (message: FromClients): void => void process.send?.(message)

async function main(): Promise<void> {
  const frames = new Float64Array(capacity)
  const at = new Float64Array(capacity)
  const perClient = new Array<number>(count).fill(0)
  let receipts = 0
  let measuring = false
  let cpuStart = process.cpuUsage()
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, index) => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url!)
      let subscribed = false
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          if (!subscribed && data.toString().includes('"schema"')) {
            subscribed = true
            ws.send(JSON.stringify({ action: 'subscribe', params: { signals: ['*'] } }))
            resolve(ws)
          }
          return
        }
        if (!measuring) return
        const now = performance.timeOrigin + performance.now()
        // The header in place, not every value: the clients add as little as they can to what they measure.
        if (data.readUInt32LE(0) !== HERT_MAGIC) throw new Error('unexpected frame')
        perClient[index]!++
        if (receipts < capacity) {
          frames[receipts] = Number(data.readBigUInt64LE(4))
          at[receipts++] = now
        }
      })
      ws.once('error', reject)
    }))
  )
  process.on('message', (message: ToClients) => {
    if (message.kind === 'start') {
      measuring = true
      cpuStart = process.cpuUsage()
      return
    }
    measuring = false
    const cpu = process.cpuUsage(cpuStart)
    send({ kind: 'receipts', frames: frames.slice(0, receipts), at: at.slice(0, receipts), perClient, cpuUs: cpu.user + cpu.system })
    for (const ws of sockets) ws.terminate()
    setTimeout(() => process.exit(0), 100)
  })
  send({ kind: 'ready' })
}

void main()
