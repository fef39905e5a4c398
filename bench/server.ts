// Server benchmark: the rates and times the server tests deliberately do not assert. Telemetry rate
// against telemetry_hz for slow and fast runs, per-client rate_hz and subscribe_status rates, the status
// metrics against the true run rate, and subscription pattern expansion on a 2,000-signal config.
import { expandPatterns } from '../src/shared/protocol/patterns'
import { RawClient, startEngine } from '../src/main/engine/server/testing'
import { runSpread } from './spread'
import { printTable } from './table'

const SECONDS = 5

const seed = (rateHz: number, telemetryHz: number): string => `
modules:
  vehicle:
    type: inproc
    model: point_mass
    options: { initial_velocity: [1.0, 0.5] }
    signals: [{ name: position.x }, { name: velocity.x }]
execution: { mode: realtime, rate_hz: ${rateHz} }
server: { telemetry_hz: ${telemetryHz} }
`

async function countFor(client: RawClient, seconds: number, kind: (r: RawClient['received'][number]) => string | null): Promise<Map<string, number>> {
  client.received.length = 0
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const counts = new Map<string, number>()
  for (const r of client.received.splice(0)) {
    const k = kind(r)
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** Frames per second each of `clients` clients receives (the slowest one's rate, and the mean). */
async function telemetryRate(rateHz: number, telemetryHz: number, clients: number): Promise<{ slowest: number; mean: number }> {
  const engine = await startEngine(seed(rateHz, telemetryHz))
  const all = await Promise.all(Array.from({ length: clients }, () => RawClient.open(engine.url)))
  for (const client of all) {
    await client.json()
    client.send({ action: 'subscribe', params: { signals: ['*'] } })
    await client.json()
    await client.frame()
  }
  for (const client of all) client.received.length = 0
  await new Promise((r) => setTimeout(r, SECONDS * 1000))
  const rates = all.map((c) => c.received.splice(0).filter((r) => r.kind === 'binary').length / SECONDS)
  for (const client of all) client.socket.terminate()
  await engine.stop()
  return { slowest: Math.min(...rates), mean: rates.reduce((a, b) => a + b, 0) / rates.length }
}

async function telemetryRows(): Promise<string[][]> {
  const rows: string[][] = []
  const error = (measured: number, target: number): string => `${(((measured - target) / target) * 100).toFixed(1)} %`
  for (const [rateHz, telemetryHz] of [[10, 50], [1000, 50], [100, 60]] as const) {
    const { mean } = await telemetryRate(rateHz, telemetryHz, 1)
    rows.push([`rate_hz ${rateHz}, telemetry_hz ${telemetryHz}`, String(telemetryHz), mean.toFixed(1), error(mean, telemetryHz)])
  }
  // Issue 16's target: within 2 % at 1000 Hz, for one client and for ten (the slowest of them). The
  // engine runs in its own process and the clients in another, as they would: clients sharing the
  // server's event loop (as above) measure their own cost as much as the server's.
  for (const clients of [1, 10]) {
    const r = await runSpread({ signals: 2, clients, processes: 1, telemetryHz: 1000, rateHz: 1000, seconds: SECONDS })
    const sent = r.ticks / SECONDS
    const slowest = Math.min(...r.perClient) / SECONDS
    const met = Math.abs(slowest - 1000) <= 20 ? 'met' : 'MISSED'
    rows.push([`1000 Hz, ${clients} client${clients > 1 ? 's' : ''} in another process: sent ${sent.toFixed(1)}/s, skipped ${r.skipped} (slowest received)`, '1000', slowest.toFixed(1), `${error(slowest, 1000)} ${met}`])
  }
  for (const clients of [1, 10]) {
    const { slowest, mean } = await telemetryRate(1000, 1000, clients)
    const met = Math.abs(slowest - 1000) <= 20 ? 'met (2 %)' : 'MISSED (2 %)'
    rows.push([`1000 Hz, ${clients} client${clients > 1 ? 's' : ''} in the server's process (slowest; mean ${mean.toFixed(1)})`, '1000', slowest.toFixed(1), `${error(slowest, 1000)} ${met}`])
  }
  // Per-client rates: subscribe rate_hz 10 (JSON) and subscribe_status 5 at telemetry_hz 60.
  const engine = await startEngine(seed(100, 60))
  const client = await RawClient.open(engine.url)
  await client.json()
  client.send({ action: 'subscribe_status', params: { rate_hz: 5 } })
  client.send({ action: 'subscribe', params: { signals: ['*'], rate_hz: 10, encoding: 'json' } })
  await client.json()
  await client.json()
  const counts = await countFor(client, SECONDS, (r) => (r.kind === 'text' ? String(r.json.type) : null))
  for (const [what, hz] of [['telemetry', 10], ['status', 5]] as const) {
    const measured = (counts.get(what) ?? 0) / SECONDS
    rows.push([`${what} at a per-client ${hz} Hz`, String(hz), measured.toFixed(1), `${(((measured - hz) / hz) * 100).toFixed(1)} %`])
  }
  // The status metrics against the run's true rate (realtime at 100 Hz: factor 1, 100 frames/s).
  client.send({ action: 'status' })
  const status = await client.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.type === 'status' && r.json.realtime_factor !== undefined)
  rows.push(['status realtime_factor', '1', Number(status.json.realtime_factor).toFixed(3), `${((Number(status.json.realtime_factor) - 1) * 100).toFixed(1)} %`])
  rows.push(['status frames_per_second', '100', Number(status.json.frames_per_second).toFixed(1), `${(Number(status.json.frames_per_second) - 100).toFixed(1)} %`])
  client.socket.terminate()
  await engine.stop()
  return rows
}

function patternRows(): string[][] {
  const names = Array.from({ length: 2000 }, (_, i) => `m${i % 50}.group${i % 9}.s${i}`)
  const cases: [string, string[]][] = [
    ['250,000 "*"', Array.from({ length: 250_000 }, () => '*')],
    ['71,000 prefix.* (450 distinct)', Array.from({ length: 71_000 }, (_, i) => `m${i % 50}.group${i % 9}.*`)],
    ['71,000 distinct unknown prefix.*', Array.from({ length: 71_000 }, (_, i) => `x${i}.*`)],
    ['10,000 exact names', names.slice(0, 2000).concat(Array.from({ length: 8000 }, (_, i) => `nope.${i}`))]
  ]
  return cases.map(([what, patterns]) => {
    const start = performance.now()
    const count = expandPatterns(patterns, names).length
    return [what, String(count), `${(performance.now() - start).toFixed(1)} ms`]
  })
}

export async function serverBench(): Promise<void> {
  if (process.env.BENCH_SERVER_RATES_ONLY) {
    printTable(`Server rates over ${SECONDS} s`, ['case', 'target Hz', 'measured', 'error'], await telemetryRows())
    return
  }
  printTable(`Server rates over ${SECONDS} s (the tests assert behaviour; the rates are here)`, ['case', 'target Hz', 'measured', 'error'], await telemetryRows())
  printTable('Subscription pattern expansion on 2,000 signals', ['patterns', 'signals matched', 'time'], patternRows())
}
