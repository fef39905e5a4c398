// Scheduler benchmarks: afap frames per second, and realtime pacing accuracy at 1 kHz.
import { Session } from '../src/main/engine/session'
import type { ResolvedConfig } from '../src/main/engine/config/types'
import { example, synthetic } from './configs'
import { printTable } from './table'

async function afap(config: ResolvedConfig): Promise<{ frames: number; seconds: number }> {
  const session = await Session.start(config)
  const startMs = performance.now()
  const last = await session.whenEnded()
  const seconds = (performance.now() - startMs) / 1000
  await session.stop()
  return { frames: last.frame, seconds }
}

export async function schedulerBench(): Promise<void> {
  const rows: string[][] = []
  const cases: [string, ResolvedConfig, number][] = [
    ['demo (8 modules, 10 wires, physics sub-stepped x5)', example('demo.yaml', { execution: { mode: 'afap', end_time: 50_000 } }), 1_000_000],
    ['hermes_vehicle (1 module)', example('hermes_vehicle.yaml', { execution: { mode: 'afap', end_time: 100_000 } }), 1_000_000],
    ['synthetic (100 modules x 10 signals, 500 wires)', synthetic(100, 9, 500, { execution: { mode: 'afap', rate_hz: 1000, end_time: 2_000 } }), 100_000]
  ]
  for (const [name, config, target] of cases) {
    const { frames, seconds } = await afap(config)
    const fps = frames / seconds
    rows.push([name, frames.toLocaleString('en-US'), seconds.toFixed(2), Math.round(fps).toLocaleString('en-US'), target.toLocaleString('en-US'), fps >= target ? 'met' : 'MISSED'])
  }
  printTable('Scheduler, afap (one scheduler thread; wall time from start to end_time)', ['config', 'frames', 'wall s', 'frames/s', 'target', ''], rows)

  const config = example('hermes_vehicle.yaml', { execution: { mode: 'realtime', rate_hz: 1000, end_time: 10 } })
  const session = await Session.start(config)
  await session.whenEnded()
  const stats = (await session.scheduler.stop()).lateness
  await session.stop()
  if (!stats) throw new Error('realtime run reported no lateness statistics')
  const ok = (v: number, limit: number): string => (v < limit ? 'met' : 'MISSED')
  printTable(
    'Scheduler, realtime pacing at 1 kHz for 10 s (lateness of frame starts against the wall-clock schedule)',
    ['measure', 'value', 'target', ''],
    [
      ['frames paced', stats.samples.toLocaleString('en-US'), '', ''],
      ['lateness p50', `${(stats.p50Ms * 1000).toFixed(0)} µs`, '', ''],
      ['lateness p99', `${(stats.p99Ms * 1000).toFixed(0)} µs`, '< 500 µs', ok(stats.p99Ms, 0.5)],
      ['lateness max', `${(stats.maxMs * 1000).toFixed(0)} µs`, '', ''],
      ['schedule rebases (fell > 100 ms behind)', String(stats.rebases), '0', stats.rebases === 0 ? 'met' : 'MISSED'],
      ['drift at end (wall - simulated)', `${(stats.endDriftMs ?? NaN).toFixed(3)} ms`, '< 1 ms', ok(Math.abs(stats.endDriftMs ?? Infinity), 1)]
    ]
  )
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Timing rows that tests must not assert: frames after a resume, and how fast a pause ends a huge step. */
export async function schedulerCommandsBench(): Promise<void> {
  const rows: string[][] = []
  const realtime = await Session.start(example('hermes_vehicle.yaml', { execution: { mode: 'realtime', rate_hz: 100, end_time: null } }))
  await sleep(100)
  const paused = await realtime.scheduler.pause()
  await sleep(300)
  await realtime.scheduler.resume()
  await sleep(100)
  const after = await realtime.scheduler.pause()
  await realtime.stop()
  rows.push(['frames in 100 ms after a 300 ms pause at 100 Hz', String(after.frame - paused.frame), '~10 (a burst that counted the pause: ~40)'])

  const stepping = await Session.start(example('hermes_vehicle.yaml', { execution: { mode: 'afap', end_time: null } }))
  await stepping.scheduler.pause()
  const step = stepping.scheduler.step(1_000_000_000)
  await sleep(200)
  const sent = performance.now()
  const pause = stepping.scheduler.pause()
  const result = await step
  const ackMs = performance.now() - sent
  await pause
  await stepping.stop()
  rows.push(['pause to step ack during a 1e9-frame step', `${ackMs.toFixed(2)} ms`, `within a frame (${(result.stepped ?? 0).toLocaleString('en-US')} frames ran)`])
  printTable('Scheduler, commands while it runs', ['measure', 'value', 'expected'], rows)
}
