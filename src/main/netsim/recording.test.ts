// The history ring, the recording file (save, load, reject) and the inspect summary.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { profile } from './conditions'
import { stream } from './random'
import { loadRecording, Recorder, saveRecording, type RecordedMessage } from './recording'
import { summarizeRecording } from './report'
import { Ring } from './ring'

const dir = mkdtempSync(join(tmpdir(), 'netsim-recording-'))

function message(seq: number, fields: Partial<RecordedMessage> = {}): RecordedMessage {
  return { seq, t_ms: seq * 10, client: 1, direction: 'server_to_client', kind: 'binary', bytes: 48, label: 'HERT', frame: seq, time: seq / 100, count: 3, fate: 'delivered', added_ms: 1.5, ...fields }
}

describe('Ring', () => {
  it('keeps the newest items in order and counts what it let go', () => {
    const ring = new Ring<number>(3)
    for (let i = 1; i <= 7; i++) ring.push(i)
    expect(ring.toArray()).toEqual([5, 6, 7])
    expect([ring.length, ring.total]).toEqual([3, 7])
    ring.clear()
    expect([ring.toArray(), ring.total]).toEqual([[], 0])
    const none = new Ring<number>(0)
    none.push(1)
    expect([none.toArray(), none.total]).toEqual([[], 1])
  })
})

describe('recording files', () => {
  it('round-trips through a file entry for entry', () => {
    const recorder = new Recorder({ capacity: 3, payloads: true })
    recorder.addConnectionEvent({ t_ms: 0, client: 1, event: 'open', remote: '127.0.0.1:5' })
    for (let i = 1; i <= 5; i++) recorder.addMessage(message(i, i === 5 ? { data: 'AAEC' } : {}))
    recorder.addMessage(message(6, { direction: 'client_to_server', kind: 'text', label: 'ping', text: '{"action":"ping"}', fate: 'in_flight', frame: undefined }))
    const exported = recorder.export({ target: 'ws://127.0.0.1:8765/', profile: 'stressed', conditions: profile('stressed') })
    expect(exported).toMatchObject({ capacity: 3, recorded: 6, evicted: 3, payloads: true })
    expect(exported.messages.map((m) => m.seq)).toEqual([4, 5, 6])
    const file = join(dir, 'round-trip.json')
    saveRecording(file, JSON.parse(JSON.stringify(exported)) as typeof exported)
    expect(loadRecording(file)).toEqual(JSON.parse(JSON.stringify(exported)))
  })

  it('refuses files that are not recordings, naming the entry and field', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"format": "something else"}')
    expect(() => loadRecording(bad)).toThrow(/bad\.json: not a netsim recording: format: /)
    const recorder = new Recorder({ capacity: 10, payloads: false })
    recorder.addMessage(message(1))
    const broken = JSON.parse(JSON.stringify(recorder.export({ target: 't', profile: 'p', conditions: profile('perfect') }))) as { messages: Record<string, unknown>[] }
    broken.messages[0]!.fate = 'teleported'
    writeFileSync(bad, JSON.stringify(broken))
    expect(() => loadRecording(bad)).toThrow(/messages\.0\.fate: /)
    writeFileSync(bad, '{')
    expect(() => loadRecording(bad)).toThrow(/not a JSON file/)
    expect(() => loadRecording(join(dir, 'missing.json'))).toThrow(/file not found/)
  })
})

describe('bounds', () => {
  it('keeps the history within its byte bound, letting the oldest go, and counts the bytes it keeps', () => {
    const ring = new Ring<string>(100, 10)
    for (const [item, size] of [['a', 4], ['b', 4], ['c', 4], ['huge', 11]] as const) ring.push(item, size)
    expect([ring.toArray(), ring.bytes, ring.total]).toEqual([['b', 'c'], 8, 4])

    const recorder = new Recorder({ capacity: 1_000_000, payloads: true, maxBytes: 200_000, maxMessageBytes: 10_000 })
    const big = Buffer.alloc(1024 * 1024, 'y')
    for (let i = 0; i < 600; i++) recorder.record({ t_ms: i, client: 1, direction: 'client_to_server', kind: 'text', bytes: big.byteLength, label: 'invalid', fate: 'in_flight' }, big, false)
    const kept = recorder.export({ target: 't', profile: 'p', conditions: profile('perfect') })
    const keptBytes = kept.messages.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0)
    expect(keptBytes).toBeLessThanOrEqual(200_000)
    expect(recorder.messages.bytes).toBeLessThanOrEqual(200_000)
    expect(kept.messages.length).toBeGreaterThan(10)
    expect(kept).toMatchObject({ recorded: 600, evicted: 600 - kept.messages.length, max_bytes: 200_000, max_message_bytes: 10_000 })
    expect(kept.messages.map((m) => m.seq)).toEqual(kept.messages.map((_, i) => 601 - kept.messages.length + i))
    // Each is the start of the message, marked, with its original size.
    expect(kept.messages[0]).toMatchObject({ bytes: 1024 * 1024, truncated: true, text: 'y'.repeat(10_000) })
    const binary = recorder.record({ t_ms: 0, client: 1, direction: 'server_to_client', kind: 'binary', bytes: 20_000, label: 'invalid', fate: 'in_flight' }, Buffer.alloc(20_000, 1), true)
    expect([Buffer.from(binary.data!, 'base64').byteLength, binary.truncated]).toEqual([10_000, true])
    const small = recorder.record({ t_ms: 0, client: 1, direction: 'client_to_server', kind: 'text', bytes: 2, label: 'x', fate: 'in_flight' }, Buffer.from('{}'), false)
    expect(small.truncated).toBeUndefined()
  })

  it('streams the export in pieces that are each bounded, and the pieces parse back as the recording', () => {
    const recorder = new Recorder({ capacity: 1000, payloads: false, maxBytes: 10_000_000, maxMessageBytes: 5000 })
    recorder.addConnectionEvent({ t_ms: 0, client: 1, event: 'open' })
    const text = Buffer.alloc(50_000, 'z')
    for (let i = 0; i < 500; i++) recorder.record({ t_ms: i, client: 1, direction: 'client_to_server', kind: 'text', bytes: text.byteLength, label: 'invalid', fate: 'delivered' }, text, false)
    const meta = { target: 't', profile: 'p', conditions: profile('perfect') }
    const chunks = [...recorder.chunks(meta)]
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(6000)
    const file = join(dir, 'streamed.json')
    writeFileSync(file, chunks.join(''))
    const loaded = loadRecording(file)
    const whole = recorder.export(meta)
    expect({ ...loaded, exported_at: '' }).toEqual({ ...whole, exported_at: '' })
    expect(loaded.messages).toHaveLength(500)
  })
})

describe('inspect summary', () => {
  it('counts messages per direction and type, losses and errors, and lists the errors', () => {
    const recorder = new Recorder({ capacity: 100, payloads: false })
    recorder.addConnectionEvent({ t_ms: 0, client: 1, event: 'open' })
    recorder.addConnectionEvent({ t_ms: 90, client: 1, event: 'close', by: 'forced', code: 1006 })
    recorder.addMessage(message(1, { direction: 'client_to_server', kind: 'text', label: 'subscribe', bytes: 40 }))
    recorder.addMessage(message(2, { direction: 'client_to_server', kind: 'text', label: 'invalid', bytes: 7, error: 'Invalid JSON: nope' }))
    for (let i = 3; i <= 6; i++) recorder.addMessage(message(i, i === 4 ? { fate: 'dropped' } : {}))
    recorder.addMessage(message(7, { kind: 'text', label: 'ack', bytes: 100 }))
    const text = summarizeRecording(recorder.export({ target: 'ws://x/', profile: 'stressed', conditions: profile('stressed') }))
    const lines = text.split('\n')
    expect(lines[1]).toBe('7 messages over 0.060 s from 1 client')
    expect(lines[2]).toBe('connections: 1 opened, 0 refused; closed 0 by client, 0 by target, 1 forced, 0 at shutdown')
    expect(lines).toContainEqual(expect.stringMatching(/^client->server\s+subscribe\s+1\s+40\s+1\s+0\s+0$/))
    expect(lines).toContainEqual(expect.stringMatching(/^client->server\s+invalid\s+1\s+7\s+1\s+0\s+1$/))
    expect(lines).toContainEqual(expect.stringMatching(/^server->client\s+HERT\s+4\s+192\s+3\s+1\s+0$/))
    expect(lines).toContainEqual(expect.stringMatching(/^server->client\s+\(all\)\s+5\s+292\s+4\s+1\s+0$/))
    expect(lines).toContain('errors: 1')
    expect(lines).toContain('  #2  0.020 s  client 1  client->server  Invalid JSON: nope')
  })
})

describe('random streams', () => {
  it('repeat for the same seed, connection and purpose, and differ otherwise', () => {
    const draw = (seed: number, connection: number, purpose: number): number[] => {
      const r = stream(seed, connection, purpose)
      return Array.from({ length: 5 }, () => r.uniform())
    }
    expect(draw(1, 1, 0)).toEqual(draw(1, 1, 0))
    expect(draw(1, 1, 0)).not.toEqual(draw(1, 2, 0))
    expect(draw(1, 1, 0)).not.toEqual(draw(1, 1, 1))
    expect(draw(1, 1, 0)).not.toEqual(draw(2, 1, 0))
    const r = stream(9, 1, 0)
    const mean = Array.from({ length: 10_000 }, () => r.uniform()).reduce((a, b) => a + b) / 10_000
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02)
  })
})
