// `keep: recording` and restarts in sweeps, as a user runs them: every finished run has its recording
// (its frames, read back), the metrics are the same bit for bit without one, a sweep killed with SIGKILL
// leaves no partial recording under a done name, and a process module that faults once restarts.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RecordingReader } from '../engine/recording/reader'
import { HAS_PYTHON, skipNotice } from '../engine/modules/testing'
import { SweepRunner } from '../sweep/runOne'
import { loadSweepFile } from '../sweep/sweepFile'
import { CLI, hermes, killRuns, ROOT } from './testing'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const temp = (): string => mkdtempSync(join(tmpdir(), 'hermes-sweeprec-'))

afterEach(killRuns)
skipNotice(!HAS_PYTHON, 'the process-module restart in a sweep', 'no python3 on PATH (set HERMES_PYTHON)')

function sweepFile(dir: string, name: string, keep: string, runs: number, endTime: number): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(
    file,
    [
      `config: ${DEMO}`,
      `run: { end_time: ${endTime} }`,
      'seed: 7',
      `samples: ${runs}`,
      'parameters:',
      '  modules.vehicle.options.mass: { uniform: { min: 1.5, max: 2.5 } }',
      'metrics:',
      '  end_x: final(vehicle.position.x)',
      '  peak: max_abs(vehicle.position.x)',
      '  rms_out: rms(pid_x.output)',
      `keep: ${keep}`
    ].join('\n')
  )
  return file
}

type Table = { header: string[]; rows: string[][] }
const table = (file: string): Table => {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\r\n')
  return { header: head!.split(','), rows: lines.map((l) => l.split(',')) }
}
const column = (t: Table, name: string): string[] => t.rows.map((r) => r[t.header.indexOf(name)]!)

/** Every frame of a recording's signal, in order, with the frame numbers. */
async function frames(file: string, signal: string): Promise<{ complete: boolean; frames: number[]; values: number[] }> {
  const reader = await RecordingReader.open(file)
  try {
    const at = reader.signals.findIndex((s) => s.name === signal)
    const out = { complete: reader.complete, frames: [] as number[], values: [] as number[] }
    for await (const b of reader.batches()) {
      out.frames.push(...b.frames)
      out.values.push(...b.columns[at]!)
    }
    return out
  } finally {
    reader.close()
  }
}

describe('keep: recording', () => {
  it('writes a recording of every run, named in the table, with the frames of its run; the metrics are those of keep: metrics, bit for bit', async () => {
    const dir = temp()
    const rec = hermes('sweep', sweepFile(dir, 'rec', 'recording', 3, 1), '--jobs', '2', '--out', join(dir, 'rec'))
    expect(rec.status, rec.stderr).toBe(0)
    const a = table(join(dir, 'rec', 'results.csv'))
    expect(a.header).toEqual(['index', 'modules.vehicle.options.mass', 'end_x', 'peak', 'rms_out', 'status', 'error', 'recording', 'wall_s'])
    expect(column(a, 'status')).toEqual(['ok', 'ok', 'ok'])
    // The same runs without recording (in this process, as a pool worker runs them): the same numbers.
    const plain = new SweepRunner(loadSweepFile(sweepFile(dir, 'plain', 'metrics', 3, 1)))
    try {
      for (let i = 0; i < 3; i++) {
        const row = await plain.run(i)
        expect(row.recording).toBeUndefined()
        expect(row.metrics.map(String)).toEqual(['end_x', 'peak', 'rms_out'].map((m) => column(a, m)[i]))
      }
    } finally {
      await plain.close()
    }
    expect(new Set(column(a, 'end_x')).size).toBe(3)
    expect(column(a, 'recording')).toEqual(['runs/00000000.mcap', 'runs/00000001.mcap', 'runs/00000002.mcap'])
    expect(readdirSync(join(dir, 'rec', 'runs')).sort()).toEqual(['00000000.mcap', '00000001.mcap', '00000002.mcap'])
    for (const [i, path] of column(a, 'recording').entries()) {
      const f = await frames(join(dir, 'rec', path), 'vehicle.position.x')
      expect(f.complete).toBe(true)
      // 1 s at 100 Hz: the staged frame 0, then frames 1 to 100; its last value is the run's final().
      expect(f.frames).toEqual(Array.from({ length: 101 }, (_, k) => k))
      expect(String(f.values.at(-1))).toBe(column(a, 'end_x')[i])
      expect(String(Math.max(...f.values.map(Math.abs)))).toBe(column(a, 'peak')[i])
    }
  }, 240_000)

  it('killed with SIGKILL while recording and started again, leaves no partial recording under a done name, and ends with one recording per run', async () => {
    const dir = temp()
    const file = sweepFile(dir, 'long', 'recording', 5, 10)
    const out = join(dir, 'results')
    const runs = join(out, 'runs')
    const child = spawn(process.execPath, [CLI, 'sweep', file, '--jobs', '1', '--out', out], { cwd: ROOT, env: { ...process.env, HERMES_LOG: 'warn' }, stdio: 'ignore' })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    const names = (): string[] => (existsSync(runs) ? readdirSync(runs) : [])
    // Killed while a run is being recorded, after at least one finished.
    const deadline = Date.now() + 150_000
    while (!(names().some((n) => n.endsWith('.mcap')) && names().some((n) => n.endsWith('.partial'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    child.kill('SIGKILL')
    await exited
    await new Promise((r) => setTimeout(r, 1500))
    const done = names().filter((n) => n.endsWith('.mcap'))
    expect(done.length).toBeGreaterThanOrEqual(1)
    expect(done.length).toBeLessThan(5)
    expect(names().some((n) => n.endsWith('.partial'))).toBe(true)
    for (const n of done) expect((await frames(join(runs, n), 'vehicle.position.x')).complete).toBe(true)

    const again = hermes('sweep', file, '--jobs', '2', '--out', out)
    expect(again.status, again.stderr).toBe(0)
    expect(names().sort()).toEqual(Array.from({ length: 5 }, (_, i) => `0000000${i}.mcap`))
    const t = table(join(out, 'results.csv'))
    expect(column(t, 'status')).toEqual(Array(5).fill('ok'))
    for (const path of column(t, 'recording')) {
      const f = await frames(join(out, path), 'vehicle.position.x')
      expect(f.complete).toBe(true)
      expect(f.frames).toHaveLength(1001)
    }
  }, 300_000)
})

describe.skipIf(!HAS_PYTHON)('on_module_error: restart in a sweep', () => {
  it('restarts a process module that faults, as a live run does, and the run finishes ok with the fault counted', async () => {
    const dir = temp()
    writeFileSync(
      join(dir, 'once.py'),
      `import os
from hermes_module import Module, run

class Once(Module):
    signals = [{"name": "n"}]
    def stage(self):
        self.outputs["n"] = 0.0
    def step(self, t):
        flag = self.context.options["flag"]
        if t.frame == 20 and not os.path.exists(flag):
            open(flag, "w").close()
            raise RuntimeError("once at frame 20")
        self.outputs["n"] = self.outputs["n"] + 1

run(Once())
`
    )
    writeFileSync(join(dir, 'base.yaml'), ['modules:', '  once:', '    type: script', '    script: once.py', `    options: { flag: ${join(dir, 'flag')} }`, 'execution: { rate_hz: 100, on_module_error: restart }'].join('\n'))
    const file = join(dir, 'restart.yaml')
    writeFileSync(file, ['config: base.yaml', 'run: { end_time: 1 }', 'metrics:', '  n: final(once.n)', '  faults: faults()'].join('\n'))
    const runner = new SweepRunner(loadSweepFile(file))
    try {
      const row = await runner.run(0)
      expect(existsSync(join(dir, 'flag'))).toBe(true)
      expect({ status: row.status, error: row.error }).toEqual({ status: 'ok', error: '' })
      // One fault; a new process, staged at 0, counted the frames after the one that failed (21 to 99).
      expect(row.metrics).toEqual([79, 1])
    } finally {
      await runner.close()
    }
  }, 120_000)
})
