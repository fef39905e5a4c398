// Child process of the fan-out benchmark: an engine and its server, reporting each publication's
// monotonic time and, when asked, its own CPU time and each tick's send loop (snapshot to last write), over IPC.
import { readFileSync } from 'node:fs'
import { parseConfig } from '../src/main/engine/config/load'
import { HermesServer } from '../src/main/engine/server/server'
import { Session } from '../src/main/engine/session'

const signals = Number(process.argv[2])
const telemetryHz = Number(process.argv[3])
const rateHz = Number(process.argv[4] ?? 120)
const send = (message: unknown): void => void process.send?.(message)

/**
 * CPU time of this process's main thread (ns; the kernel's schedstat, Linux): the event loop, where the
 * send path runs. process.cpuUsage adds the scheduler and module threads, whose work the rate sets.
 */
function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

async function main(): Promise<void> {
  const list = Array.from({ length: signals }, (_, i) => `      - { name: s${i} }`).join('\n')
  const yaml = `modules:\n  bulk:\n    type: inproc\n    model: injection\n    signals:\n${list}\nexecution: { mode: realtime, rate_hz: ${rateHz} }\nserver: { telemetry_hz: ${telemetryHz}, max_clients: 256 }\n`
  const session = await Session.start(parseConfig(yaml, 'fanout.yaml').config)
  const server = await HermesServer.start({
    host: '127.0.0.1',
    port: 0,
    telemetryHz,
    staticDir: null,
    allowedOrigins: [],
    // performance.timeOrigin + now() is the wall clock at µs resolution, comparable across processes.
    onPublish: (frame) => send({ kind: 'published', frame, at: performance.timeOrigin + performance.now() }),
    onFanout: (stats) => {
      if (!measuring) return
      sendMs.push(stats.sendMs)
      sent += stats.sent
    }
  })
  server.bind(session)
  let cpuStart = process.cpuUsage()
  let mainStart = mainThreadNs()
  let measuring = false
  let sendMs: number[] = []
  let sent = 0
  let wallStart = process.hrtime.bigint()
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
      void server.stop().then(() => session.stop()).then(() => process.exit(0))
    }
  })
  send({ kind: 'ready', port: server.port })
}

void main()
