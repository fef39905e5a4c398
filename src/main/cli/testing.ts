// Test helpers: the `hermes` command, built (test/buildCli.ts builds it before the tests), in a child
// process, as a user runs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(__dirname, '..', '..', '..')
/** The built CLI: `node` with these arguments is `hermes`. */
export const CLI = join(ROOT, 'out', 'main', 'cli.js')
const env = { ...process.env, HERMES_LOG: 'warn' }
const children: ChildProcess[] = []

/** Runs `hermes <args>` to completion. */
export function hermes(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export interface RunningCli {
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
  /** The port it serves, or null when it runs without a server. */
  port: number | null
}

/** `hermes run <args>` in the background; resolves once it says it is running (and serving, with a server). */
export function startRun(...args: string[]): Promise<RunningCli> {
  return startCommand('run', ...args)
}

/** `hermes <command> <args>` in the background (run, replay); resolves once it says 'Ctrl+C stops'. */
export function startCommand(command: string, ...args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, command, ...args], { cwd: ROOT, env })
  children.push(child)
  let output = ''
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return new Promise((started, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (!output.includes('Ctrl+C stops')) return
      const port = /serving ws:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      started({ child, output: () => output, exited, port: port ? Number(port[1]) : null })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => reject(new Error(`hermes exited with ${code}: ${output}`)))
  })
}

/** Kills whatever a test left running. */
export function killRuns(): void {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
}

/** Debian's Python with its websockets package: what seed 000's client needs. */
const SEED_PYTHON = '/usr/bin/python3'
export const SEED_CLIENT_AVAILABLE = existsSync(SEED_PYTHON) && spawnSync(SEED_PYTHON, ['-c', 'import websockets']).status === 0

/** Runs test/python/seed_client.py (seed 000's client flow, checked) against a port; throws on any failure. */
export function runSeedClient(port: number): Record<string, unknown> {
  const r = spawnSync(SEED_PYTHON, [join(ROOT, 'test', 'python', 'seed_client.py'), `ws://127.0.0.1:${port}`], { encoding: 'utf8', timeout: 30_000 })
  if (r.status !== 0 || r.stderr !== '') throw new Error(`seed_client.py exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, unknown>
}
