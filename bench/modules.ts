// Module kinds: afap frames per second with one module of each kind doing the same small computation
// (seed 000's vehicle: x += 1.0*dt, y += 0.5*dt), and what each kind costs per frame over a built-in module.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfigWithModules } from '../src/main/engine/config/withModules'
import { HERMES_MIRROR, hermesFile } from '../src/main/engine/modules/process/hermesMirror'
import { pythonCommand } from '../src/main/engine/modules/process/spec'
import { Session } from '../src/main/engine/session'
import { EXAMPLES } from './configs'
import { printTable } from './table'

interface Case {
  name: string
  modules: string
  frames: number
  target: number | null
  /** Why the case cannot run here, or null. */
  skip: string | null
}

async function framesPerSecond(modules: string, frames: number, dir: string): Promise<number> {
  const yaml = `modules:\n${modules}\nexecution: { mode: afap, rate_hz: 1000, end_time: ${frames / 1000} }\n`
  const { config } = await parseConfigWithModules(yaml, join(dir, 'bench.yaml'))
  const session = await Session.start(config)
  const startMs = performance.now()
  const last = await session.whenEnded()
  const seconds = (performance.now() - startMs) / 1000
  await session.stop()
  return last.frame / seconds
}

export async function modulesBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-'))
  try {
    const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0)
    const built = cc ? spawnSync(cc, ['-O2', '-I', join(EXAMPLES, '..', 'modules'), '-o', join(dir, 'vehicle'), join(EXAMPLES, 'vehicle.c')]).status === 0 : false
    const python = spawnSync(pythonCommand(), ['--version'], { stdio: 'ignore' }).status === 0
    copyFileSync(join(EXAMPLES, 'mock_module.py'), join(dir, 'mock_module.py'))
    // Hermes's own mock_module.py, as Hermes ships it, through resources/modules/hermes (the compatibility package).
    const hermesMock = hermesFile('examples/mock_module.py')
    if (hermesMock) writeFileSync(join(dir, 'hermes_mock_module.py'), hermesMock)
    const seed = '[{ name: position.x }, { name: position.y }, { name: velocity.x }, { name: velocity.y }]'
    const ts = join(EXAMPLES, 'vehicle.ts')
    const cases: Case[] = [
      { name: 'inproc (point_mass, the baseline)', modules: '  v: { type: inproc, model: point_mass, options: { initial_velocity: [1.0, 0.5] } }', frames: 3_000_000, target: null, skip: null },
      { name: 'script (vehicle.ts, worker thread)', modules: `  v: { type: script, script: ${ts} }`, frames: 2_000_000, target: 200_000, skip: null },
      { name: 'process (vehicle.c, hermes_module.h)', modules: `  v: { type: process, executable: ${join(dir, 'vehicle')} }`, frames: 500_000, target: 50_000, skip: built ? null : 'no C compiler' },
      { name: 'process (mock_module.py, hermes_module.py)', modules: `  v: { type: script, script: ${join(dir, 'mock_module.py')}, signals: ${seed} }`, frames: 200_000, target: 20_000, skip: python ? null : 'no python3' },
      {
        name: "process (Hermes's mock_module.py, the hermes compatibility package)",
        modules: `  v: { type: script, script: ${join(dir, 'hermes_mock_module.py')}, signals: ${seed} }`,
        frames: 200_000,
        target: 20_000,
        skip: !python ? 'no python3' : hermesMock ? null : `Hermes mirror not present at ${HERMES_MIRROR}`
      },
      {
        name: 'three script modules (4 threads on this machine)',
        modules: ['a', 'b', 'c'].map((n) => `  ${n}: { type: script, script: ${ts} }`).join('\n'),
        frames: 300_000,
        target: null,
        skip: null
      }
    ]
    const rows: string[][] = []
    let baseUs = 0
    for (const c of cases) {
      if (c.skip) {
        rows.push([c.name, '-', '-', '-', c.target?.toLocaleString('en-US') ?? '', `SKIPPED: ${c.skip}`])
        continue
      }
      const fps = await framesPerSecond(c.modules, c.frames, dir)
      const us = 1e6 / fps
      if (baseUs === 0) baseUs = us
      rows.push([
        c.name,
        Math.round(fps).toLocaleString('en-US'),
        us.toFixed(2),
        rows.length === 0 ? '' : (us - baseUs).toFixed(2),
        c.target?.toLocaleString('en-US') ?? '',
        c.target === null ? '' : fps >= c.target ? 'met' : 'MISSED'
      ])
    }
    printTable(
      'Module kinds, afap at 1 kHz: one module doing x += 1.0*dt, y += 0.5*dt (wall time from the first frame to end_time)',
      ['module', 'frames/s', 'µs/frame', 'µs over inproc', 'target', ''],
      rows
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
