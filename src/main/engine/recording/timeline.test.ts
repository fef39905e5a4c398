// The `timeline` and `note` extensions on a live recorded run: markers for commands, faults and notes in
// order for the current segment, notes broadcast to hello clients only and stored in the recording.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, startEngine, type Engine } from '../server/testing'
import { RecordingReader } from './reader'

const dir = mkdtempSync(join(tmpdir(), 'hermes-timeline-'))
const file = join(dir, 'run.mcap')
// Faults once, on the first frame after `trip` is set above 0.
const script = join(dir, 'trips.mjs')
writeFileSync(script, `let n, trip
export const signals = [{ name: 'n' }, { name: 'trip' }]
export function init(ctx) { n = ctx.signal('n'); trip = ctx.signal('trip') }
export function step(t) {
  if (trip.value > 0 && !globalThis.tripped) { globalThis.tripped = true; throw new Error('tripped on purpose') }
  n.value = t.frame
}
`)

let engine: Engine
let console1: RawClient
let seed: RawClient

beforeAll(async () => {
  engine = await startEngine(
    `
modules:
  m: { type: script, script: ${JSON.stringify(script)}, signals: [{ name: n }, { name: trip, writable: true }] }
execution: { mode: realtime, rate_hz: 100, start_paused: true }
server: { telemetry_hz: 20 }
`,
    {},
    { recording: { file } }
  )
  console1 = await RawClient.open(engine.url)
  await console1.json()
  console1.send({ action: 'hello', id: 0 })
  await reply(console1, 0)
  seed = await RawClient.open(engine.url)
  await seed.json()
}, 60_000)

afterAll(async () => {
  console1?.socket.terminate()
  seed?.socket.terminate()
  await engine?.stop()
  rmSync(dir, { recursive: true, force: true })
})

let nextId = 1
/** Sends a command with an id and returns its answer (an ack, a reply or an error), skipping events and frames. */
async function ask(action: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = nextId++
  console1.send({ action, ...(params ? { params } : {}), id })
  return reply(console1, id)
}

async function reply(client: RawClient, id: number): Promise<Record<string, unknown>> {
  for (;;) {
    const m = await client.json(20_000)
    if (m.id === id) return m
  }
}

type Marker = { kind: string; label: string; frame: number; time: number; client?: string }
const labels = (markers: Marker[]): string[] => markers.map((m) => `${m.kind}: ${m.label}`)

describe('timeline and note on a recorded run', () => {
  it('lists the hello ack actions that are served: timeline and note on a recorded run, no seek or speed', async () => {
    // The extended schema that followed the first hello names the file the run records into.
    const schema = await console1.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.type === 'schema', 20_000)
    expect(schema.json.recording).toEqual({ file })
    const ack = await ask('hello')
    expect(ack.actions).toEqual(expect.arrayContaining(['history', 'timeline', 'note']))
    expect(ack.actions).not.toContain('seek')
    expect(ack.actions).not.toContain('speed')
  })

  it('marks commands, faults and notes in order, for the current segment (a reset starts a new one)', async () => {
    expect(await ask('resume')).toMatchObject({ type: 'ack' })
    expect(await ask('pause')).toMatchObject({ type: 'ack' })
    expect(await ask('step', { count: 3 })).toMatchObject({ type: 'ack', action: 'step' })
    const first = await ask('timeline')
    expect(first).toMatchObject({ type: 'timeline', from: 0 })
    expect(first.truncated).toBeUndefined()
    const markers = first.markers as Marker[]
    expect(labels(markers)).toEqual([expect.stringMatching(/^command: resume by client \d+$/), expect.stringMatching(/^command: pause by client \d+$/), expect.stringMatching(/^command: step 3 by client \d+$/)])
    expect(markers.every((m) => /^client \d+ \(127\.0\.0\.1:\d+\)$/.test(m.client ?? ''))).toBe(true)
    // Times and frames go forward; the step's marker is at the frame it ended on, three after the pause.
    expect(markers.map((m) => m.time)).toEqual([...markers.map((m) => m.time)].sort((a, b) => a - b))
    expect(markers[2]!.frame).toBe(markers[1]!.frame + 3)
    expect(first.to as number).toBeGreaterThanOrEqual(markers[2]!.time)

    expect(await ask('reset')).toMatchObject({ type: 'ack' })
    expect(await ask('set', { signal: 'm.trip', value: 1 })).toMatchObject({ type: 'ack' })
    expect(await ask('resume')).toMatchObject({ type: 'ack' })
    for (;;) {
      const m = await console1.json(20_000)
      if (m.type === 'event' && m.event === 'error') break
    }
    const note = await ask('note', { text: '  the sensor tripped  ' })
    expect(note).toMatchObject({ type: 'ack', action: 'note', frame: expect.any(Number), time: expect.any(Number) })
    const second = await ask('timeline')
    const after = second.markers as Marker[]
    expect(labels(after)).toEqual([
      expect.stringMatching(/^command: reset by client \d+$/),
      expect.stringMatching(/^command: set m\.trip = 1 by client \d+$/),
      expect.stringMatching(/^command: resume by client \d+$/),
      expect.stringMatching(/^fault: fault in m: .*tripped on purpose/),
      'note: the sensor tripped'
    ])
    expect(after[0]).toMatchObject({ frame: 0, time: 0 })
    // The note is at the frame the run paused on for the fault.
    expect(after[4]).toMatchObject({ frame: note.frame, time: note.time })
    expect(after[4]!.frame).toBeGreaterThanOrEqual(after[3]!.frame)
  })

  it('broadcasts a note to every client that said hello, not to a seed 000 client', async () => {
    const plain = await RawClient.open(engine.url)
    await plain.json()
    // A hello with no extensions is still a hello: this client asked for the protocol's extensions.
    plain.send({ action: 'hello', params: { extensions: [] } })
    await plain.json()
    seed.received.length = 0
    const ack = await ask('note', { text: 'second look' })
    const event = { type: 'event', event: 'note', text: 'second look', client: expect.stringMatching(/^client \d+ \(/), frame: ack.frame, time: ack.time }
    expect(await console1.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.event === 'note', 20_000)).toMatchObject({ json: event })
    expect(await plain.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.event === 'note', 20_000)).toMatchObject({ json: event })
    plain.socket.terminate()
    // Whatever the seed client was sent before its pong was sent before the note's ack too: no note in it.
    seed.send({ action: 'ping' })
    await seed.take((r): r is Extract<typeof r, { kind: 'text' }> => r.kind === 'text' && r.json.type === 'pong', 20_000)
    const texts = seed.drainJson()
    expect(texts.filter((m) => m.event === 'note')).toEqual([])
  })

  it('refuses an empty note, a blank one and one over 1,000 characters, naming the limit', async () => {
    expect(await ask('note', { text: '' })).toMatchObject({ type: 'error', message: "note 'text' must be a non-empty string", action: 'note' })
    expect(await ask('note', { text: ' \n\t ' })).toMatchObject({ type: 'error', message: "note 'text' must be a non-empty string" })
    expect(await ask('note', {})).toMatchObject({ type: 'error', message: "note 'text' must be a non-empty string" })
    expect(await ask('note', { text: 7 })).toMatchObject({ type: 'error', message: "note 'text' must be a non-empty string" })
    expect(await ask('note', { text: 'x'.repeat(1001) })).toMatchObject({ type: 'error', message: "note 'text' has 1001 characters: at most 1000 are allowed" })
    // 1,000 after trimming is allowed.
    expect(await ask('note', { text: ` ${'y'.repeat(1000)} ` })).toMatchObject({ type: 'ack', action: 'note' })
    expect(await ask('seek', { time: 1 })).toMatchObject({ type: 'error', message: 'seek is only available in a replay' })
    expect(await ask('speed', { factor: 2 })).toMatchObject({ type: 'error', message: 'speed is only available in a replay' })
  })

  it('stores the notes in the recording as note events, with their client and frame', async () => {
    await engine.stop()
    const reader = await RecordingReader.open(file)
    try {
      const notes = (await reader.events()).filter((e) => e.kind === 'note')
      expect(notes.map((n) => (n.kind === 'note' ? [n.text.slice(0, 12), n.segment] : []))).toEqual([
        ['the sensor t', 1],
        ['second look', 1],
        ['y'.repeat(12), 1]
      ])
      expect(notes.every((n) => n.kind === 'note' && /^client \d+ \(127\.0\.0\.1:\d+\)$/.test(n.client) && n.frame >= 0)).toBe(true)
    } finally {
      reader.close()
    }
  })
})
