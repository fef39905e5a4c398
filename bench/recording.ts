// `npm run bench -- recording`: the format comparison, then the recorder's rows of issue 12: afap cost
// (and its floor: a recorder that hands each batch straight back), a realtime 1 kHz run of 10,000 signals, bytes per frame and per hour, history query times.
// BENCH_REALTIME_S and BENCH_HISTORY_S shorten the two long rows (defaults 60 and 3600), BENCH_AFAP_PAIRS
// sets how many alternating plain/recorded pairs the afap rows take their median from (default 9).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ResolvedConfig } from '../src/main/engine/config/types'
import { RecordingReader } from '../src/main/engine/recording/reader'
import type { RecordingOptions } from '../src/main/engine/recording/recorder'
import { Session } from '../src/main/engine/session'
import { example, synthetic } from './configs'
import { recordingFormatBench } from './recordingFormat'
import { printTable } from './table'
import { replayStartBench } from './replay'

const REALTIME_S = Number(process.env.BENCH_REALTIME_S ?? 60)
const HISTORY_S = Number(process.env.BENCH_HISTORY_S ?? 3600)
/** Alternating plain and recorded afap runs per configuration (BENCH_AFAP_PAIRS). */
const AFAP_PAIRS = Number(process.env.BENCH_AFAP_PAIRS ?? 9)

async function afap(config: ResolvedConfig, recording?: RecordingOptions): Promise<{ fps: number; frames: number; session: Session; seconds: number; cpuUs: number }> {
  const session = await Session.start(config, { serving: false, ...(recording ? { recording } : {}) })
  const start = performance.now()
  // Every thread of the process during the run (the machine is shared: CPU per frame says more than wall rate).
  const cpu = process.cpuUsage()
  const last = await session.whenEnded()
  const used = process.cpuUsage(cpu)
  const seconds = (performance.now() - start) / 1000
  return { fps: last.frame / seconds, frames: last.frame, session, seconds, cpuUs: (used.user + used.system) / Math.max(1, last.frame) }
}

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

async function recordedFrames(file: string): Promise<number> {
  const reader = await RecordingReader.open(file)
  let n = 0
  for await (const b of reader.batches()) n += b.frames.length
  reader.close()
  return n
}

const n = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export async function recordingBench(): Promise<void> {
  await recordingFormatBench()
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-rec-'))
  try {
    // afap with and without recording.
    const rows: string[][] = []
    let demoBytesPerFrame = 0
    const cases: [string, () => ResolvedConfig][] = [
      ['demo (28 signals, 100 Hz)', () => example('demo.yaml', { execution: { mode: 'afap', end_time: 20000 } })],
      ['synthetic (1,000 signals, 1 kHz)', () => synthetic(100, 9, 500, { execution: { mode: 'afap', rate_hz: 1000, end_time: 30 } })]
    ]
    // Each configuration recorded, then its floor: a recorder that hands every batch straight back,
    // encoding and writing nothing, so that what is left is the frame tap's copy and the hand-over.
    const runs = cases.flatMap(([name, make]) => [
      { name, make, handBackOnly: false },
      { name: `${name}, hand-back floor (nothing encoded or written)`, make, handBackOnly: true }
    ])
    for (const { name, make, handBackOnly } of runs) {
      // Pairs alternate (plain, recorded) and the row is the median pair by cost: on a shared machine one
      // pair's plain rate alone was seen to swing from 2.0 to 3.1 M frames/s.
      const pairs: { row: string[]; cost: number }[] = []
      for (let p = 0; p < AFAP_PAIRS; p++) {
        const plain = await afap(make())
        await plain.session.stop()
        const file = join(dir, `${rows.length}-${p}.mcap`)
        const rec = await afap(make(), { file, handBackOnly })
        const summary = await rec.session.stop()
        const recorderCpu = summary.recording?.cpuMs ?? null
        const bytes = statSync(file).size
        // A floor's file holds no frame: nothing to count.
        const recorded = handBackOnly ? 0 : await recordedFrames(file)
        rmSync(file, { force: true })
        if (rows.length === 0) demoBytesPerFrame = bytes / recorded
        const cost = 1 - rec.fps / plain.fps
        pairs.push({
          cost,
          row: [
            name,
            n(plain.fps),
            n(rec.fps),
            `${n(100 * cost, 1)} %`,
            handBackOnly ? '(floor)' : '<= 20 %',
            handBackOnly ? '' : cost <= 0.2 ? 'met' : 'MISSED',
            `${n(plain.cpuUs, 2)} / ${n(rec.cpuUs, 2)}`,
            recorderCpu === null ? '-' : n((recorderCpu * 1000) / Math.max(1, rec.frames), 2),
            summary.recording?.scheduler?.cpuMs == null ? '-' : `${n((summary.recording.scheduler.cpuMs * 1000) / Math.max(1, rec.frames), 2)} (waited ${n(summary.recording.scheduler.waitedMs)} ms)`,
            handBackOnly ? 'none (floor)' : `${recorded === rec.frames + 1 ? 'all' : `${recorded} of ${rec.frames + 1}`}`,
            handBackOnly ? '-' : n(bytes / recorded, 1)
          ]
        })
      }
      pairs.sort((a, b) => a.cost - b.cost)
      const median = pairs[Math.floor(pairs.length / 2)]!
      rows.push([...median.row, pairs.map((p) => `${n(100 * p.cost)}`).join(' / ') + ' %'])
    }
    printTable(`Recording cost in afap (frames/s without and with recording, the median of ${AFAP_PAIRS} alternating pairs; every frame recorded; a floor row's recorder hands each batch straight back, so its cost is the frame tap's copy and the hand-over alone; load ${load()})`, ['config', 'fps', 'fps recorded', 'cost', 'target', '', 'CPU µs/frame, all threads: plain / recorded', 'recorder thread µs/frame (incl. start)', 'scheduler thread µs/frame while recording (backpressure wait)', 'frames in file', 'B/frame', 'cost of each pair'], rows)
    printTable(
      'Recording size of the demo (lz4 over byte planes, the default)',
      ['measure', 'value'],
      [
        ['bytes per frame', n(demoBytesPerFrame, 1)],
        ['bytes per hour at 100 Hz', `${n((demoBytesPerFrame * 360_000) / 1e6, 1)} MB`]
      ]
    )

    // Realtime 1 kHz, 10,000 signals.
    const rtRows: string[][] = []
    // Unrecorded and lz4 alternate twice: on this shared host one unrecorded run's p99 alone was seen
    // anywhere from 185 to 484 µs, so each recorded run has an unrecorded neighbour to be read against.
    const rtRuns = ['off', 'lz4', 'off', 'lz4', 'none'] as const
    for (const [i, compression] of rtRuns.entries()) {
      const config = synthetic(1000, 9, 0, { execution: { mode: 'realtime', rate_hz: 1000, end_time: REALTIME_S } })
      const file = join(dir, `rt-${i}-${compression}.mcap`)
      if (compression === 'off') {
        // The same run unrecorded: the pacing figures to compare with.
        const session = await Session.start(config, { serving: false })
        await session.whenEnded()
        const stats = (await session.scheduler.stop()).lateness
        await session.stop()
        rtRows.push(['not recorded', '-', '-', stats ? `${n(stats.p50Ms * 1000)} / ${n(stats.p99Ms * 1000)} / ${n(stats.maxMs * 1000)} µs` : '-', stats ? String(stats.rebases) : '-', '-'])
        continue
      }
      const session = await Session.start(config, { serving: false, recording: { file, compression } })
      await session.whenEnded()
      const stats = (await session.scheduler.stop()).lateness
      await session.stop()
      const recorded = await recordedFrames(file)
      const expected = REALTIME_S * 1000 + 1
      rtRows.push([
        compression,
        `${recorded} of ${expected}`,
        recorded === expected ? 'met' : 'MISSED',
        stats ? `${n(stats.p50Ms * 1000)} / ${n(stats.p99Ms * 1000)} / ${n(stats.maxMs * 1000)} µs` : '-',
        stats ? String(stats.rebases) : '-',
        `${n(statSync(file).size / 1e6, 1)} MB`
      ])
      rmSync(file, { force: true })
    }
    printTable(`Realtime 1 kHz, 10,000 signals, ${REALTIME_S} s each, in the order run (pacing as in the scheduler bench: p99 < 500 µs, 0 rebases)`, ['compression', 'frames in file', 'no frame missing', 'lateness p50 / p99 / max', 'rebases', 'file'], rtRows)

    // History: a recording made in afap, 100 signals at 1 kHz.
    const histConfig = synthetic(10, 9, 10, { execution: { mode: 'afap', rate_hz: 1000, end_time: HISTORY_S } })
    const file = join(dir, 'history.mcap')
    const made = await afap(histConfig, { file })
    const recorder = made.session.history!
    const names = recorder.signals.slice(0, 1)
    const q = (fromS: number, toS: number) => recorder.query({ columns: [0], names, fromNs: fromS * 1e9, toNs: toS * 1e9, maxPoints: 2000 })
    // Queries are answered in turn with the writes: first wait (untimed) until the recorder has the run's
    // last frame, so that the times are the queries' own, not the afap run's write backlog.
    while ((await q(HISTORY_S, HISTORY_S)).frames < 1) await new Promise((r) => setTimeout(r, 20))
    // Five of each, alternating; the target holds for the slowest.
    const times = { whole: [] as number[], slice: [] as number[] }
    let whole = { mode: '', frames: 0 }
    let slice = { mode: '', frames: 0 }
    for (let k = 0; k < 5; k++) {
      let start = performance.now()
      whole = await q(0, HISTORY_S)
      times.whole.push(performance.now() - start)
      start = performance.now()
      slice = await q(HISTORY_S / 2, HISTORY_S / 2 + 1)
      times.slice.push(performance.now() - start)
    }
    const spread = (ms: number[]): string => `${n([...ms].sort((a, b) => a - b)[2]!, 1)} / ${n(Math.max(...ms), 1)} ms`
    await made.session.stop()
    const replayStart = performance.now()
    const reader = await RecordingReader.open(file)
    let firstFrame = -1
    for await (const b of reader.batches({ fromNs: 0, toNs: 0 })) firstFrame = b.frames[0]!
    const openMs = performance.now() - replayStart
    reader.close()
    // h-replay: the replay row (time from `hermes replay` to its first frame) goes here, from bench/replay.ts.
    printTable(
      `History of a ${n(HISTORY_S)} s, 1 kHz, 100-signal recording made in afap (${n(statSync(file).size / 1e6)} MB, recorded at ${n(made.fps)} frames/s)`,
      ['query', 'median / slowest of 5', 'target', '', 'reply'],
      [
        ['2,000-point view of the whole run', spread(times.whole), '< 50 ms', Math.max(...times.whole) < 50 ? 'met' : 'MISSED', `${whole.mode}, ${n(whole.frames)} frames`],
        ['one-second slice', spread(times.slice), '< 50 ms', Math.max(...times.slice) < 50 ? 'met' : 'MISSED', `${slice.mode}, ${n(slice.frames)} frames`],
        ['open the recording and read its first frame (what a replay needs first)', `${n(openMs, 1)} ms`, '< 1000 ms', openMs < 1000 && firstFrame === 0 ? 'met' : 'MISSED', '']
      ]
    )
    await replayStartBench(file, HISTORY_S)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
