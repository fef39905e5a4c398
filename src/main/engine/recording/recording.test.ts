// A recorded run against what a client received: every frame, identical values, commands with their frames.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient, startEngine, until, type Engine } from '../server/testing'
import { parseConfig } from '../config/load'
import { expectMinMaxBuckets, readAll, threadNiceValues } from './testing'

export const RECORDED = (execution: string, telemetryHz = 50): string => `
modules:
  gen:
    type: inproc
    model: signal_generator
    options: { waveform: sine, amplitude: 2, frequency: 3 }
  noise:
    type: inproc
    model: signal_generator
    options: { waveform: noise, seed: 7 }
  vehicle:
    type: inproc
    model: point_mass
    options: { initial_velocity: [1.0, 0.5] }
  ctl:
    type: inproc
    model: injection
    signals:
      - { name: input }
      - { name: hidden, published: false }
execution:
  ${execution}
server:
  telemetry_hz: ${telemetryHz}
`

const dirs: string[] = []
const engines: Engine[] = []
const clients: RawClient[] = []

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-rec-'))
  dirs.push(dir)
  return dir
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate()
  await Promise.all(engines.splice(0).map((e) => e.stop()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Every recorded frame of the file, as frame -> [segment, time, values in column order]. */
export async function ackOf(client: RawClient, action: string): Promise<Record<string, unknown>> {
  for (;;) {
    const m = await client.json()
    if (m.type === 'ack' && m.action === action) return m
    if (m.type === 'error') throw new Error(`error instead of the ${action} ack: ${JSON.stringify(m)}`)
  }
}

describe('recording', () => {
  it('records a realtime run with few frame values a second on the engine thread, and an afap run on a thread of its own', async () => {
    const realtime = await startEngine(RECORDED('mode: realtime\n  rate_hz: 1000\n  start_paused: true'), {}, { recording: { file: join(tempDir(), 'rt.mcap') } })
    engines.push(realtime)
    expect(realtime.session.recorder!.place).toBe('engine thread')
    const afap = await startEngine(RECORDED('mode: afap\n  start_paused: true'), {}, { recording: { file: join(tempDir(), 'afap.mcap') } })
    engines.push(afap)
    expect(afap.session.recorder!.place).toBe('own thread')
  })

  it('the benchmark floor (handBackOnly): every batch is handed back and counted, the run ends, and the file holds no frame', async () => {
    const file = join(tempDir(), 'floor.mcap')
    const e = await startEngine(RECORDED('mode: afap\n  end_time: 100'), {}, { recording: { file, handBackOnly: true } })
    engines.push(e)
    const last = await e.session.whenEnded()
    const summary = await e.session.stop()
    engines.length = 0
    // 100 s at the default 100 Hz: frames 0..10000, three batches of at most 4,096 frames, each handed back.
    expect(last.frame).toBe(10_000)
    expect(summary.recording?.frames).toBe(10_001)
    const { reader, rows } = await readAll(file)
    expect(reader.complete).toBe(true)
    expect(rows).toEqual([])
    reader.close()
  })

  it.each(['engine thread', 'own thread'] as const)('holds every frame at rate_hz, and the frames a client got at telemetry_hz are identical to it (recorder: %s)', async (place) => {
    const file = join(tempDir(), 'run.mcap')
    const niceBefore = threadNiceValues()
    const e = await startEngine(RECORDED('mode: realtime\n  rate_hz: 400\n  end_time: 1.5'), {}, { recording: { file, place } })
    engines.push(e)
    expect(e.session.recorder!.place).toBe(place)
    // A recorder thread of its own yields the cores to the frame loop (nice 10); on the engine thread
    // nothing changes that thread's priority. No other thread changed.
    if (niceBefore) expect(threadNiceValues()!.filter((n) => n === 10).length).toBe(niceBefore.filter((n) => n === 10).length + (place === 'own thread' ? 1 : 0))
    const client = await RawClient.open(e.url)
    clients.push(client)
    client.send({ action: 'subscribe', params: { signals: ['*'] } })
    const ack = await ackOf(client, 'subscribe')
    const names = ack.signals as string[]
    const received = new Map<number, Float64Array>()
    await until(() => {
      for (const r of client.received.splice(0)) if (r.kind === 'binary') received.set(Number(r.frame.frame), r.frame.values)
      return e.session.scheduler.state === 'ended'
    }, 'the run to reach end_time')
    // The last frames a client is sent may still be in flight: take what arrived.
    await new Promise((r) => setTimeout(r, 200))
    for (const r of client.received.splice(0)) if (r.kind === 'binary') received.set(Number(r.frame.frame), r.frame.values)
    await e.stop()
    engines.length = 0

    const { reader, rows } = await readAll(file)
    expect(reader.complete).toBe(true)
    // Every frame from 0 to the end, once each, in order: 1.5 s at 400 Hz is frames 0..600.
    expect(rows.map((r) => r.frame)).toEqual(Array.from({ length: 601 }, (_, i) => i))
    expect(rows.every((r) => r.timeNs === r.frame * 2_500_000)).toBe(true)
    expect(reader.signals.map((s) => s.name)).toEqual(names)
    expect(names).not.toContain('ctl.hidden')
    // A client at 50 Hz saw a fraction of them; each one it saw is bit for bit the recorded frame.
    expect(received.size).toBeGreaterThan(10)
    expect(received.size).toBeLessThan(601)
    for (const [frame, values] of received) expect(rows[frame]!.values).toEqual([...values])
    reader.close()
  })

  it('records each command with its client and frame, and a reset starts a new segment from frame 0', async () => {
    const file = join(tempDir(), 'cmds.mcap')
    const e = await startEngine(RECORDED('mode: realtime\n  rate_hz: 100\n  start_paused: true'), {}, { recording: { file } })
    engines.push(e)
    const client = await RawClient.open(e.url)
    clients.push(client)
    client.send({ action: 'step', params: { count: 5 } })
    expect(await ackOf(client, 'step')).toMatchObject({ frame: 5 })
    client.send({ action: 'set', params: { signal: 'ctl.input', value: 2.5 } })
    await ackOf(client, 'set')
    client.send({ action: 'step', params: { count: 3 } })
    expect(await ackOf(client, 'step')).toMatchObject({ frame: 8 })
    client.send({ action: 'reset' })
    await ackOf(client, 'reset')
    client.send({ action: 'step', params: { count: 2 } })
    await ackOf(client, 'step')
    await e.stop()
    engines.length = 0

    const { reader, rows } = await readAll(file)
    const commands = (await reader.events()).filter((ev) => ev.kind === 'command')
    expect(commands.map((c) => [c.action, c.frame, c.signal ?? null, c.value ?? null, c.count ?? null])).toEqual([
      ['step', 5, null, null, 5],
      ['set', 5, 'ctl.input', 2.5, null],
      ['step', 8, null, null, 3],
      ['reset', 0, null, null, null],
      ['step', 2, null, null, 2]
    ])
    expect(new Set(commands.map((c) => (c.kind === 'command' ? c.client : '')))).toEqual(new Set([expect.stringMatching(/^client \d+ \(127\.0\.0\.1:\d+\)$/)]))
    // Segment 0: frames 0..8; segment 1, after the reset: 0..2.
    expect(rows.map((r) => [r.segment, r.frame])).toEqual([...Array.from({ length: 9 }, (_, i) => [0, i]), [1, 0], [1, 1], [1, 2]])
    // The set reaches the recording at the next frame boundary: frame 6 on, until the reset.
    const input = reader.signals.findIndex((s) => s.name === 'ctl.input')
    expect(rows.map((r) => r.values[input])).toEqual([0, 0, 0, 0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0])
    reader.close()
  })

  // When their room is full the oldest summaries are merged pairwise (spans of 2, 4, ... batches, used
  // where a span fits a bucket), then dropped (their batches scanned from the file). 47 batches of 64
  // frames: room for 24 summaries means the 31 batches older than the newest 16 share a few merged ones;
  // room for none means every summary is merged and then dropped.
  const summary = 16 * parseConfig(RECORDED('mode: afap'), 'test.yaml', { checkFiles: false }).config.modules.flatMap((m) => m.signals).length
  // On the engine thread a query gives the event loop a turn as it goes (here after every batch).
  it.each([
    ['every batch summary kept', undefined, 'own thread'],
    ['old summaries merged', 24 * summary, 'own thread'],
    ['summaries merged and dropped', 1, 'own thread'],
    ['every batch summary kept, on the engine thread', undefined, 'engine thread'],
    ['summaries merged and dropped, on the engine thread', 1, 'engine thread']
  ] as const)('answers history at full resolution and as min/max buckets, from memory and from the file, as the recording has it (%s)', async (_, summaryBytes, place) => {
    const file = join(tempDir(), 'hist.mcap')
    // Small batches and memory for one of them: most of the run is read back from the file.
    const e = await startEngine(RECORDED('mode: afap\n  rate_hz: 1000\n  end_time: 3'), {}, { recording: { file, batchFrames: 64, memoryBytes: 1, place, historySliceMs: 0, ...(summaryBytes ? { summaryBytes } : {}) } })
    engines.push(e)
    await until(() => e.session.scheduler.state === 'ended', 'the run to end')
    const client = await RawClient.open(e.url)
    clients.push(client)
    client.send({ action: 'hello', params: { extensions: ['ids'] } })
    await ackOf(client, 'hello')
    const ask = async (params: Record<string, unknown>, id: number): Promise<Record<string, unknown>> => {
      client.send({ action: 'history', params, id })
      for (;;) {
        const m = await client.json()
        if (m.id === id) return m
      }
    }
    // The run's last batch reaches the recorder's thread on another port than the queries: the recording
    // is whole once a query over the run counts every frame (the run ended at 3 s, frame 3000).
    let probe = 100
    await until(async () => (await ask({ signals: ['gen.out'], from: 0, to: 3, max_points: 20 }, probe++)).frames === 3001, 'the recorder to have every batch')
    const full = await ask({ signals: ['gen.out', 'noise.*'], from: 0.5, to: 1.0, max_points: 1000 }, 1)
    const minmax = await ask({ signals: ['gen.out'], from: 0, to: 3, max_points: 20 }, 2)
    const narrow = await ask({ signals: ['noise.out', 'gen.out'], from: 0.2, to: 2.9, max_points: 180 }, 5)
    const wide = await ask({ signals: ['noise.out'], from: 0, to: 3, max_points: 10 }, 6)
    const refused = await ask({ signals: ['nothing.*'], from: 0, to: 1 }, 3)
    const tooMany = await ask({ signals: ['gen.out'], from: 0, to: 1, max_points: 1e6 }, 4)
    // Past about 104 days a time has no exact nanosecond: refused, not answered with null times.
    const tooLate = await ask({ signals: ['gen.out'], from: 0, to: 1e300 }, 7)
    await e.stop()
    engines.length = 0

    const { reader, rows } = await readAll(file)
    const col = (name: string): number => reader.signals.findIndex((s) => s.name === name)
    const inRange = rows.filter((r) => r.timeNs >= 0.5e9 && r.timeNs <= 1.0e9)
    expect(full).toMatchObject({ type: 'history', mode: 'full', signals: ['gen.out', 'noise.out'], frames: 501 })
    expect(full.time).toEqual(inRange.map((r) => r.timeNs / 1e9))
    expect((full.values as Record<string, number[]>)['gen.out']).toEqual(inRange.map((r) => r.values[col('gen.out')]))
    expect((full.values as Record<string, number[]>)['noise.out']).toEqual(inRange.map((r) => r.values[col('noise.out')]))

    // Summaries move bucket edges to batch edges (a batch shorter than a bucket is taken whole), scans
    // keep them: either way each bucket holds the extremes of exactly its frames.
    // 10 buckets of 300 frames over batches of 64: summaries (when kept) move edges.
    const moved = expectMinMaxBuckets(minmax, rows, col, 0, 3e9, 10, ['gen.out'])
    if (summaryBytes === undefined) expect(moved).toBeGreaterThan(0)
    // Buckets of 30 frames (shorter than a batch: every edge is scanned) and of 600: noise is all spikes.
    expectMinMaxBuckets(narrow, rows, col, 0.2e9, 2.9e9, 90, ['noise.out', 'gen.out'])
    expectMinMaxBuckets(wide, rows, col, 0, 3e9, 5, ['noise.out'])

    expect(refused).toMatchObject({ type: 'error', action: 'history', message: 'history: no recorded signal matches nothing.*' })
    expect(tooMany).toMatchObject({ type: 'error', message: "history 'max_points' must be an integer from 2 to 10000" })
    expect(tooLate).toMatchObject({ type: 'error', message: "history 'to' must be at most 9007199 s" })
    reader.close()
  })

  it('answers at most 32 waiting history requests of one client and refuses the rest at once; another client is still answered', async () => {
    const file = join(tempDir(), 'flood.mcap')
    const e = await startEngine(RECORDED('mode: afap\n  rate_hz: 1000\n  end_time: 3'), {}, { recording: { file, batchFrames: 64, memoryBytes: 1, summaryBytes: 1 } })
    engines.push(e)
    await until(() => e.session.scheduler.state === 'ended', 'the run to end')
    const [flood, other] = [await RawClient.open(e.url), await RawClient.open(e.url)]
    clients.push(flood, other)
    for (const c of [flood, other]) c.send({ action: 'hello', params: { extensions: ['ids'] } })
    await Promise.all([ackOf(flood, 'hello'), ackOf(other, 'hello')])
    // Each one a scan of every frame from the file (no summaries kept), as one message burst.
    const sent = 200
    for (let id = 1; id <= sent; id++) flood.send({ action: 'history', params: { signals: ['noise.out'], from: 0, to: 3, max_points: 10_000 }, id })
    other.send({ action: 'history', params: { signals: ['gen.out'], from: 0, to: 1, max_points: 2000 }, id: 'other' })
    const answered: number[] = []
    const refused: number[] = []
    while (answered.length + refused.length < sent) {
      const m = await flood.json(20_000)
      if (m.type === 'history') answered.push(m.id as number)
      else if (m.type === 'error' && m.action === 'history') {
        expect(m.message).toBe('history: 32 requests of this client are waiting to be answered, the most a client may have; ask again when one is answered')
        refused.push(m.id as number)
      }
    }
    expect(refused.length).toBeGreaterThan(0)
    expect(answered.length).toBeGreaterThanOrEqual(32)
    expect(new Set([...answered, ...refused]).size).toBe(sent)
    // Answered in the order asked.
    expect(answered).toEqual([...answered].sort((a, b) => a - b))
    for (;;) {
      const m = await other.json(20_000)
      if (m.id !== 'other') continue
      expect(m).toMatchObject({ type: 'history', mode: 'full', frames: 1001 })
      break
    }
  })

  it('refuses history for a run that is not recorded, and says how to record it', async () => {
    const e = await startEngine(RECORDED('mode: afap\n  rate_hz: 100\n  end_time: 1'))
    engines.push(e)
    const client = await RawClient.open(e.url)
    clients.push(client)
    client.send({ action: 'history', params: { signals: ['*'], from: 0, to: 1 } })
    for (;;) {
      const m = await client.json()
      if (m.type !== 'error') continue
      expect(m.message).toContain('history is not available: this run is not recorded')
      break
    }
  })
})
