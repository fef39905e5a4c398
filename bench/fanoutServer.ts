// Child process of the fan-out benchmark: an engine and its server, reporting each publication's
// monotonic time and, when asked, its own CPU time and each tick's send loop (snapshot to last write), over IPC.
import { parseConfig } from '../src/main/engine/config/load'
import { HermesServer } from '../src/main/engine/server/server'
import { Session } from '../src/main/engine/session'
import { sendToParent, ServerMeter, wallMs } from './childMeters'

const signals = Number(process.argv[2])
const telemetryHz = Number(process.argv[3])
const rateHz = Number(process.argv[4] ?? 120)

async function main(): Promise<void> {
  const list = Array.from({ length: signals }, (_, i) => `      - { name: s${i} }`).join('\n')
  const yaml = `modules:\n  bulk:\n    type: inproc\n    model: injection\n    signals:\n${list}\nexecution: { mode: realtime, rate_hz: ${rateHz} }\nserver: { telemetry_hz: ${telemetryHz}, max_clients: 256 }\n`
  const session = await Session.start(parseConfig(yaml, 'fanout.yaml').config)
  // Stopping needs the server, which is made below; no stop comes before it is.
  const meter = new ServerMeter(() => void server.stop().then(() => session.stop()).then(() => process.exit(0)))
  const server = await HermesServer.start({
    host: '127.0.0.1',
    port: 0,
    telemetryHz,
    staticDir: null,
    allowedOrigins: [],
    onPublish: (frame) => sendToParent({ kind: 'published', frame, at: wallMs() }),
    onFanout: (stats) => meter.tick(stats.sendMs, stats.sent)
  })
  server.bind(session)
  sendToParent({ kind: 'ready', port: server.port })
}

void main()
