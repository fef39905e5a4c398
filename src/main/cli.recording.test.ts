// `hermes run --record`, `hermes inspect`, `hermes export` as a user runs them, a SIGKILL mid-run, and
// the pandas snippet of docs/recording.md.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { RawClient, until } from './engine/server/testing'
import { RecordingReader } from './engine/recording/reader'
import { hermes, killRuns, ROOT, startRun } from './cli/testing'

const CONFIG = (execution: string): string => `
modules:
  gen:
    type: inproc
    model: signal_generator
    options: { waveform: sine, amplitude: 2, frequency: 3 }
  vehicle:
    type: inproc
    model: point_mass
    options: { initial_velocity: [1.0, 0.5] }
execution:
  ${execution}
`

const dirs: string[] = []
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hermes-clirec-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  killRuns()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function framesOf(file: string): Promise<{ frames: number[]; complete: boolean }> {
  const reader = await RecordingReader.open(file)
  const frames: number[] = []
  for await (const b of reader.batches()) frames.push(...b.frames)
  const complete = reader.complete
  reader.close()
  return { frames, complete }
}

const PANDAS = spawnSync('/usr/bin/python3', ['-c', 'import pandas, zstandard']).status === 0

describe('hermes run --record', () => {
  it('a SIGKILL mid-run leaves a file that opens, with every frame up to less than a second before the kill', async () => {
    const dir = temp()
    const config = join(dir, 'c.yaml')
    writeFileSync(config, CONFIG('mode: realtime\n  rate_hz: 200'))
    const file = join(dir, 'killed.mcap')
    const run = await startRun(config, '--serve', '--port', '0', '--record', file)
    const client = await RawClient.open(`ws://127.0.0.1:${run.port}`)
    client.send({ action: 'subscribe', params: { signals: ['*'] } })
    let last = -1
    await until(() => {
      for (const r of client.received.splice(0)) if (r.kind === 'binary') last = Number(r.frame.frame)
      return last >= 600
    }, 'three seconds of frames')
    run.child.kill('SIGKILL')
    await run.exited
    client.socket.terminate()

    const { frames, complete } = await framesOf(file)
    expect(complete).toBe(false)
    // Every frame from 0, once, in order, up to within one second (200 frames) of one the client saw.
    expect(frames).toEqual(Array.from({ length: frames.length }, (_, i) => i))
    expect(frames.length - 1).toBeGreaterThanOrEqual(last - 200)
    const inspect = hermes('inspect', file)
    expect(inspect.status).toBe(0)
    expect(inspect.stdout).toContain('not closed (the recorder was stopped abruptly)')
  }, 120_000)

  it('a recording damaged in one batch: inspect, export and replay say which file and which batch, and exit 1', () => {
    const dir = temp()
    const config = join(dir, 'c.yaml')
    // 10,001 frames: batches of at most 4,096 frames (or 500 ms of wall time): at least three.
    writeFileSync(config, CONFIG('mode: afap\n  rate_hz: 1000\n  end_time: 10'))
    const file = join(dir, 'r.mcap')
    expect(hermes('run', config, '--no-server', '--record', file, '--no-progress').status).toBe(0)
    // Overwrite bytes inside the second frame batch (its chunk's CRC no longer matches).
    const bytes = readFileSync(file)
    const second = bytes.indexOf('HRF3', bytes.indexOf('HRF3') + 1)
    expect(second).toBeGreaterThan(0)
    bytes.fill(0xff, second + 200, second + 264)
    const damaged = join(dir, 'damaged.mcap')
    writeFileSync(damaged, bytes)
    const said = new RegExp(`${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the frame batch at \\d+\\.\\d{3} s \\(recording clock\\) is damaged: Incorrect chunk CRC`)
    for (const args of [['inspect', damaged], ['export', damaged, '--format', 'csv', '-o', join(dir, 'x.csv')], ['replay', damaged, '--port', '0']]) {
      const r = hermes(...args)
      expect(r.status, args[0]).toBe(1)
      expect(r.stderr, args[0]).toMatch(said)
    }
  })

  it('records an afap run whole; inspect counts it; export writes CSV and Parquet of a range', async () => {
    const dir = temp()
    const config = join(dir, 'c.yaml')
    writeFileSync(config, CONFIG('mode: afap\n  rate_hz: 1000\n  end_time: 3'))
    const file = join(dir, 'r.mcap')
    const r = hermes('run', config, '--no-server', '--record', file, '--no-progress')
    expect(r.status).toBe(0)
    expect(r.stderr).toContain(`recorded 3001 frames`)
    expect((await framesOf(file)).frames).toEqual(Array.from({ length: 3001 }, (_, i) => i))

    const inspect = hermes('inspect', file, '--json')
    expect(inspect.status).toBe(0)
    const summary = JSON.parse(inspect.stdout) as { frames: number; durationS: number; complete: boolean; signals: { name: string }[]; events: Record<string, number> }
    expect(summary).toMatchObject({ frames: 3001, durationS: 3, complete: true, events: { 'state ended': 1 } })
    expect(summary.signals.map((s) => s.name)).toContain('vehicle.position.x')

    // A second run onto the same file is refused: a recording is never overwritten.
    const again = hermes('run', config, '--no-server', '--record', file)
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('exists already')

    const csv = join(dir, 'part.csv')
    const e = hermes('export', file, '--format', 'csv', '--signals', 'gen.*', 'vehicle.position.x', '--from', '1', '--to', '1.5', '-o', csv)
    expect(e.status).toBe(0)
    const lines = readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('time,frame,segment,gen.out,vehicle.position.x')
    expect(lines.length).toBe(1 + 501)
    expect(lines[1]!.split(',').slice(0, 3)).toEqual(['1', '1000', '0'])
    // Frame 1200 holds the values after the step that started at 1.199 s: the generator's sine then.
    const at = lines.find((l) => l.startsWith('1.2,'))!.split(',')
    expect(Number(at[3])).toBeCloseTo(2 * Math.sin(2 * Math.PI * 3 * 1.199), 12)

    const parquet = join(dir, 'all.parquet')
    expect(hermes('export', file, '--format', 'parquet', '-o', parquet).status).toBe(0)
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(parquet) })
    expect(rows.length).toBe(3001)
    expect(rows[1200]).toMatchObject({ frame: 1200, time: 1.2, 'gen.out': Number(at[3]) })

    const bad = hermes('export', file, '--format', 'csv', '--signals', 'nope.*', '-o', csv)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain("--signals 'nope.*' matches no recorded signal")
  }, 180_000)

  // afap records on a thread of its own (lz4 in WebAssembly), a small realtime run on the engine thread (lz4js).
  it.skipIf(!PANDAS).each(['afap', 'realtime'])('the pandas snippet of docs/recording.md loads a recording of a run in %s mode, every value as recorded', async (mode) => {
    const dir = temp()
    const config = join(dir, 'c.yaml')
    writeFileSync(config, CONFIG(`mode: ${mode}\n  rate_hz: 100\n  end_time: 2`))
    mkdirSync(join(dir, 'runs'))
    expect(hermes('run', config, '--no-server', '--record', join(dir, 'runs', 'run.mcap')).status).toBe(0)
    symlinkSync(join(ROOT, 'resources'), join(dir, 'resources'))
    const doc = readFileSync(join(ROOT, 'docs', 'recording.md'), 'utf8')
    const snippet = /## Loading a recording in Python[\s\S]*?```python\n([\s\S]*?)```/.exec(doc)![1]!
    expect(snippet.trim().split('\n').length).toBeLessThanOrEqual(5)
    const check = [
      'print("CHECK", len(df), df["frame"].iloc[-1], round(float(df["time"].iloc[-1]), 6), list(df.columns)[:4])',
      'print("VALUES", df.to_numpy(dtype="<f8").tobytes().hex())'
    ].join('\n')
    const py = spawnSync('/usr/bin/python3', ['-c', `${snippet}\n${check}`], { cwd: dir, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 })
    expect(py.stderr).toBe('')
    expect(py.status).toBe(0)
    expect(py.stdout).toContain("CHECK 201 200 2.0 ['time', 'frame', 'segment', 'gen.out']")
    // Every value, bit for bit, as this project's reader has it (signals constant over a batch among them).
    const reader = await RecordingReader.open(join(dir, 'runs', 'run.mcap'))
    const rows: number[] = []
    let constantOnes = 0
    for await (const b of reader.batches()) {
      constantOnes += b.columns.filter((c) => c.every((v) => Object.is(v, c[0]))).length
      for (let k = 0; k < b.frames.length; k++) rows.push(b.timesNs[k]! / 1e9, b.frames[k]!, b.segment, ...b.columns.map((c) => c[k]!))
    }
    reader.close()
    expect(constantOnes).toBeGreaterThan(0)
    expect(/VALUES ([0-9a-f]+)/.exec(py.stdout)![1]).toBe(Buffer.from(new Float64Array(rows).buffer).toString('hex'))
  }, 120_000)
})
