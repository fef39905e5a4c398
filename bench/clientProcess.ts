// Child process of the fan-out, telemetry-rate and frame-age benchmarks: hosts some of the clients, so
// that the clients' own work is spread over processes instead of sharing one event loop (or the
// server's). Each client subscribes to every signal; while measuring, every binary frame's number and
// receipt time are kept (childMeters.ts Receipts) and sent back at the end.
import { WebSocket } from 'ws'
import { HERT_MAGIC } from '../src/shared/protocol/hert'
import { Receipts, sendToParent } from './childMeters'

export type ToClients = { kind: 'start' } | { kind: 'stop' }
export type FromClients =
  | { kind: 'ready' }
  | { kind: 'receipts'; frames: Float64Array; at: Float64Array; perClient: number[]; cpuUs: number }

const [url, countArg, capacityArg] = process.argv.slice(2)
const count = Number(countArg)
const capacity = Number(capacityArg)

async function main(): Promise<void> {
  let sockets: WebSocket[] = []
  const receipts = new Receipts(count, capacity, () => sockets.forEach((ws) => ws.terminate()))
  sockets = await Promise.all(
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
        if (!receipts.active) return
        // The header in place, not every value: the clients add as little as they can to what they measure.
        if (data.readUInt32LE(0) !== HERT_MAGIC) throw new Error('unexpected frame')
        receipts.record(index, Number(data.readBigUInt64LE(4)))
      })
      ws.once('error', reject)
    }))
  )
  sendToParent({ kind: 'ready' } satisfies FromClients)
}

void main()
