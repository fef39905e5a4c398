// Contention: a lock-step Hermes-style Python module and the demo, afap, with 0, 1 and 2 busy neighbour
// processes on the machine; frames/s and CPU seconds per 10k frames (engine, its threads and its modules).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ResolvedConfig } from '../src/main/engine/config/types'
import { parseConfigWithModules } from '../src/main/engine/config/withModules'
import { hermesFile } from '../src/main/engine/modules/process/hermesMirror'
import { pythonCommand } from '../src/main/engine/modules/process/spec'
import type { WaitPolicy } from '../src/main/engine/modules/spin'
import { Session } from '../src/main/engine/session'
import { example } from './configs'
import { printTable } from './table'

/** The quiet-machine Hermes figure of issue 16, doubled: the target with one neighbour. */
const TARGET_FPS = 12_000
const TARGET_CPU_RATIO = 1.5
const REPEATS = Number(process.env.BENCH_REPEATS) || 3
/** The adaptive rule, and the old one (always spin) beside it, measured in turns under the same load. */
const POLICIES = (process.env.BENCH_POLICIES ?? 'adaptive,spin').split(',') as WaitPolicy[]
const FRAMES = Number(process.env.BENCH_FRAMES) || 60_000

/** CPU seconds of this process and of its reaped children (utime, stime, cutime, cstime of /proc/self/stat). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  // Fields after the command: state is index 0, utime is field 14 of the whole line, so index 11 here.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0)
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
  return ticks / hz
}

function neighbours(count: number): ChildProcess[] {
  // A busy loop in its own process, like a browser tab or a compiler on a laptop.
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }))
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGKILL')
        })
    )
  )
}

interface Measure {
  fps: number
  cpuPer10k: number
  /** The scheduler's waits for its modules: how many were answered while spinning, and how many slept. */
  spins: number
  blocks: number
}

async function measure(config: ResolvedConfig, busy: number, policy: WaitPolicy): Promise<Measure> {
  const load = neighbours(busy)
  const before = process.env.HERMES_WAIT
  process.env.HERMES_WAIT = policy
  try {
    // Let the neighbours start spinning before the run starts.
    await new Promise((r) => setTimeout(r, 300))
    const session = await Session.start(config)
    const cpu0 = cpuSeconds()
    const t0 = performance.now()
    const last = await session.whenEnded()
    const seconds = (performance.now() - t0) / 1000
    const stats = await session.scheduler.stop()
    await session.stop()
    // The module processes are reaped by now (their CPU is in cutime); the neighbours are not.
    const cpu = cpuSeconds() - cpu0
    const waits = Object.values(stats.waits)
    return {
      fps: last.frame / seconds,
      cpuPer10k: (cpu / last.frame) * 10_000,
      spins: waits.reduce((n, w) => n + w.spins, 0),
      blocks: waits.reduce((n, w) => n + w.blocks, 0)
    }
  } finally {
    if (before === undefined) delete process.env.HERMES_WAIT
    else process.env.HERMES_WAIT = before
    await stopAll(load)
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export async function contentionBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-'))
  try {
    const cases: { name: string; config: () => Promise<ResolvedConfig>; skip: string | null; targeted: boolean }[] = []
    const python = spawnSync(pythonCommand(), ['--version'], { stdio: 'ignore' }).status === 0
    const mock = hermesFile('examples/mock_module.py')
    const basic = hermesFile('examples/basic_sim.yaml')
    if (mock) writeFileSync(join(dir, 'mock_module.py'), mock)
    cases.push({
      name: `Hermes's basic_sim.yaml (mock_module.py, lock-step), ${FRAMES.toLocaleString('en-US')} frames`,
      targeted: true,
      skip: !python ? 'no python3' : !mock || !basic ? 'Hermes mirror not present' : null,
      config: async () => {
        const yaml = `${basic!.toString('utf8')}\n`
        const file = join(dir, 'basic_sim.yaml')
        writeFileSync(file, yaml)
        const parsed = await parseConfigWithModules(yaml, file, { overrides: { execution: { mode: 'afap', end_time: FRAMES / 100 } } })
        return parsed.config
      }
    })
    cases.push({
      name: 'demo.yaml (8 inproc modules), 500,000 frames',
      targeted: false,
      skip: null,
      config: () => Promise.resolve(example('demo.yaml', { execution: { mode: 'afap', end_time: 5_000 }, server: { enabled: false } }))
    })
    const rows: string[][] = []
    for (const c of cases) {
      if (c.skip) {
        rows.push([c.name, '-', '-', '-', '-', '-', '-', '-', `SKIPPED: ${c.skip}`])
        continue
      }
      const config = await c.config()
      const quietCpu = new Map<WaitPolicy, number>()
      let first = true
      for (const busy of [0, 1, 2]) {
        const runs = new Map<WaitPolicy, Measure[]>(POLICIES.map((p) => [p, []]))
        // The policies in turns, so that each sees the same background load.
        for (let i = 0; i < REPEATS; i++) for (const p of POLICIES) runs.get(p)!.push(await measure(config, busy, p))
        for (const p of POLICIES) {
          const m = runs.get(p)!
          const fps = median(m.map((r) => r.fps))
          const cpu = median(m.map((r) => r.cpuPer10k))
          if (busy === 0) quietCpu.set(p, cpu)
          const ratio = cpu / quietCpu.get(p)!
          let verdict = ''
          if (c.targeted && busy === 1 && p === 'adaptive') verdict = fps >= TARGET_FPS && ratio <= TARGET_CPU_RATIO ? 'met' : 'MISSED'
          rows.push([
            first ? c.name : '',
            String(busy),
            p,
            Math.round(fps).toLocaleString('en-US'),
            cpu.toFixed(3),
            ratio.toFixed(2),
            String(median(m.map((r) => r.spins))),
            String(median(m.map((r) => r.blocks))),
            verdict
          ])
          first = false
        }
      }
    }
    printTable(
      `Contention, afap on ${availableParallelism()} cores with busy neighbour processes (median of ${REPEATS}; targets with one neighbour: >= ${TARGET_FPS.toLocaleString('en-US')} frames/s and CPU per frame <= ${TARGET_CPU_RATIO}x quiet)`,
      ['config', 'neighbours', 'HERMES_WAIT', 'frames/s', 'CPU s / 10k frames', 'CPU vs quiet', 'spun', 'slept', ''],
      rows
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
