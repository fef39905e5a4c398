// Netsim benchmark: what the proxy adds to a round trip, a bandwidth-limited burst, and how long other
// clients' telemetry stalls while a 1 MB message passes (the timings the proxy's tests no longer assert).
import { startEngine } from '../src/main/engine/server/testing'
import { ENGINE_YAML, startProxy, TapClient } from '../src/main/netsim/testing'
import { printTable } from './table'

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number): string => `${x.toFixed(1)} ms`

async function rtts(url: string, n: number, extra: Record<string, unknown> = {}): Promise<number[]> {
  const c = await TapClient.open(url)
  await c.text((j) => j.type === 'schema')
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(await c.ping(30_000, extra))
  c.terminate()
  return out
}

/** The longest gap between frames a subscribed client sees while `act` runs. */
async function stall(url: string, act: (sender: TapClient) => Promise<void>): Promise<number> {
  const watcher = await TapClient.open(url)
  watcher.send({ action: 'subscribe', params: { signals: ['*'] } })
  await watcher.until(() => watcher.binaries().length >= 10, 10_000)
  const sender = await TapClient.open(url)
  await sender.text((j) => j.type === 'schema')
  const from = watcher.messages.length
  await act(sender)
  const seen = watcher.messages.length
  await watcher.until(() => watcher.binaries().length >= seen + 10, 30_000)
  const at = watcher.messages.slice(from).filter((m) => m.isBinary).map((m) => m.at)
  let gap = 0
  for (let i = 1; i < at.length; i++) gap = Math.max(gap, at[i]! - at[i - 1]!)
  watcher.terminate()
  sender.terminate()
  return gap
}

export async function netsimBench(): Promise<void> {
  const engine = await startEngine(ENGINE_YAML(60))
  const perfect = await startProxy(engine.url)
  const slow = await startProxy(engine.url, { latency_ms: 100 })
  const narrow = await startProxy(engine.url, { client_to_server: { bandwidth_bytes_per_s: 100_000 } })
  try {
    const rows: string[][] = []
    for (const [name, url] of [['direct', engine.url], ['perfect proxy', perfect.url], ['latency 100 ms', slow.url]] as const) {
      const r = await rtts(url, 20)
      rows.push([name, ms(median(r)), ms(Math.max(...r))])
    }
    const c = await TapClient.open(narrow.url)
    const pad = 'x'.repeat(10_000)
    const burst = await Promise.all(Array.from({ length: 5 }, () => c.ping(30_000, { pad })))
    c.terminate()
    rows.push(['5 x 10 kB at 100 kB/s', ms(median(burst)), ms(Math.max(...burst))])
    printTable('netsim: ping round trip', ['LINK', 'MEDIAN', 'MAX'], rows)

    const big = { action: 'x'.repeat(1_000_000) }
    const stalls: string[][] = []
    for (const [name, url] of [['direct', engine.url], ['perfect proxy', perfect.url]] as const) {
      const quiet = await stall(url, () => new Promise((r) => setTimeout(r, 500)))
      const loud = await stall(url, async (sender) => {
        sender.send(big)
        await sender.text((j) => j.type === 'error', 0, 30_000)
      })
      stalls.push([name, ms(quiet), ms(loud)])
    }
    printTable('netsim: longest gap between frames at 60 Hz for another client', ['PATH', 'IDLE', 'WHILE A 1 MB UNKNOWN ACTION PASSES'], stalls)
  } finally {
    await Promise.all([perfect.stop(), slow.stop(), narrow.stop()])
    await engine.stop()
  }
}
