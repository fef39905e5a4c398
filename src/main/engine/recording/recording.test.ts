// A recorded run against what a client received: every frame, identical values, commands with their frames.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient, startEngine, until, type Engine } from '../server/testing'
import { RecordingReader } from './reader'
import type { FrameBatch } from './format'

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
export async function readAll(file: string): Promise<{ reader: RecordingReader; rows: { segment: number; frame: number; timeNs: number; values: number[] }[] }> {
  const reader = await RecordingReader.open(file)
  const rows: { segment: number; frame: number; timeNs: number; values: number[] }[] = []
  const push = (b: FrameBatch): void => {
    for (let k = 0; k < b.frames.length; k++) rows.push({ segment: b.segment, frame: b.frames[k]!, timeNs: b.timesNs[k]!, values: b.columns.map((c) => c[k]!) })
  }
  for await (const b of reader.batches()) push(b)
  return { reader, rows }
}

export async function ackOf(client: RawClient, action: string): Promise<Record<string, unknown>> {
  for (;;) {
    const m = await client.json()
    if (m.type === 'ack' && m.action === action) return m
    if (m.type === 'error') throw new Error(`error instead of the ${action} ack: ${JSON.stringify(m)}`)
  }
}

describe('recording', () => {
  it('holds every frame at rate_hz, and the frames a client got at telemetry_hz are identical to it', async () => {
    const file = join(tempDir(), 'run.mcap')
    const e = await startEngine(RECORDED('mode: realtime\n  rate_hz: 400\n  end_time: 1.5'), {}, { recording: { file } })
    engines.push(e)
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
})
