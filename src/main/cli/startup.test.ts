// Each CLI command loads only what it uses (docs/architecture.md, start-up): which packages the built
// command has loaded when it exits, read from require.cache by a preloaded hook (the packages the build
// bundles, zod, yaml, commander and consola, are not packages there).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLI, ROOT } from './testing'

const HOOK = join(mkdtempSync(join(tmpdir(), 'hermes-startup-')), 'packages.cjs')
writeFileSync(
  HOOK,
  // The main thread's only: worker threads inherit the --require, and have caches of their own.
  `if (require('node:worker_threads').isMainThread) process.on('exit', () => {
  const found = new Set()
  for (const f of Object.keys(require.cache)) { const m = /node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f); if (m) found.add(m[1].replace('\\\\', '/')) }
  process.stderr.write('PACKAGES ' + JSON.stringify([...found].sort()) + '\\n')
})
`
)
const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')

/** The packages `hermes <args>` had loaded at exit, with its exit status. */
function packagesOf(...args: string[]): { status: number | null; packages: string[]; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', HOOK, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HERMES_LOG: 'warn' },
    timeout: 60_000
  })
  const line = /^PACKAGES (.*)$/m.exec(r.stderr)?.[1]
  return { status: r.status, packages: line ? (JSON.parse(line) as string[]) : [], stderr: r.stderr }
}

const SERVER_AND_RECORDING = ['ws', '@mcap/core', '@foxglove/wasm-zstd', 'lz4-wasm-nodejs', 'hyparquet-writer']

describe('start-up: a command loads what it uses', () => {
  it('validate loads the config loader, not the server, the recorder or the Parquet writer', () => {
    const r = packagesOf('validate', DEMO)
    expect(r.status, r.stderr).toBe(0)
    for (const p of SERVER_AND_RECORDING) expect(r.packages).not.toContain(p)
  }, 90_000)

  it('a run without the server loads neither ws nor the recording packages; a one-frame run still ends', () => {
    const r = packagesOf('run', DEMO, '--mode', 'afap', '--end-time', '0.01', '--no-server', '--no-progress')
    expect(r.status, r.stderr).toBe(0)
    for (const p of SERVER_AND_RECORDING) expect(r.packages).not.toContain(p)
  }, 90_000)

  it('a small realtime run records on the engine thread with lz4js, without lz4\'s WebAssembly or zstd (issue 16, footprint)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hermes-startup-rec-')), 'run.mcap')
    const r = packagesOf('run', DEMO, '--mode', 'realtime', '--end-time', '0.5', '--no-server', '--no-progress', '--record', file)
    expect(r.status, r.stderr).toBe(0)
    expect(r.packages).toContain('@mcap/core')
    expect(r.packages).toContain('lz4js')
    expect(r.packages).not.toContain('lz4-wasm-nodejs')
    expect(r.packages).not.toContain('@foxglove/wasm-zstd')
  }, 90_000)
})
