// Test helpers for script and process modules: module files in a fresh folder, sessions loaded with their
// modules' declarations, faults, values by name, and the process table (for orphans).
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ResolvedConfig } from '../config/types'
import { loadConfigFileWithModules } from '../config/withModules'
import type { Scheduler } from '../scheduler/scheduler'
import { Session } from '../session'
import { pythonCommand } from './process/spec'

export const ROOT = resolve(__dirname, '..', '..', '..', '..')
export const HELPERS = join(ROOT, 'resources', 'modules')
export const EXAMPLES = join(ROOT, 'resources', 'examples')

const works = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0
export const PYTHON = pythonCommand()
export const HAS_PYTHON = works(PYTHON, ['-c', 'import json, struct'])
export const CC = ['cc', 'gcc', 'clang'].find((c) => works(c, ['--version'])) ?? null
export const HAS_PROC = existsSync('/proc/self/cmdline')

/** Says clearly, once per file, why a group of tests did not run. */
export function skipNotice(condition: boolean, what: string, why: string): void {
  if (condition) console.warn(`SKIPPED: ${what}: ${why}`)
}

export interface Fault {
  module: string
  message: string
  frame: number
}

export function nextFault(scheduler: Scheduler, timeoutMs = 15_000): Promise<Fault> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no fault was reported')), timeoutMs)
    const off = scheduler.onEvent((event) => {
      if (event.kind !== 'fault') return
      clearTimeout(timer)
      off()
      resolve({ module: event.module, message: event.message, frame: event.frame })
    })
  })
}

/** Every value of a snapshot by qualified name, copied. */
export async function values(scheduler: Scheduler): Promise<{ frame: number; values: Record<string, number> }> {
  const snap = await scheduler.snapshot()
  return { frame: snap.frame, values: Object.fromEntries(scheduler.backplane.names.map((n, i) => [n, snap.values[i]!])) }
}

/** A folder of module files; its path, in every module's command line, finds their processes. */
export class ModuleLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'hermes-lab-'))
  private readonly sessions: Session[] = []

  write(name: string, text: string, executable = false): string {
    const path = join(this.dir, name)
    writeFileSync(path, text)
    if (executable) chmodSync(path, 0o755)
    return path
  }

  /** Compiles C source against resources/modules/hermes_module.h with the system compiler. */
  compile(name: string, source: string): string {
    if (!CC) throw new Error('no C compiler')
    const src = this.write(`${name}.c`, source)
    const out = join(this.dir, name)
    const r = spawnSync(CC, ['-O2', '-Wall', '-Werror', '-I', HELPERS, '-o', out, src], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${CC} failed: ${r.stderr}`)
    return out
  }

  async load(yaml: string, name = 'config.yaml'): Promise<ResolvedConfig> {
    return (await loadConfigFileWithModules(this.write(name, yaml))).config
  }

  async start(yaml: string): Promise<Session> {
    return this.track(await Session.start(await this.load(yaml)))
  }

  track(session: Session): Session {
    this.sessions.push(session)
    return session
  }

  /** Pids of live processes started from this folder. */
  processes(): number[] {
    const pids: number[] = []
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(this.dir)) pids.push(Number(entry))
      } catch {
        // It ended while we looked.
      }
    }
    return pids
  }

  /** Waits (a little) for processes that are on their way out, as after the engine was killed. */
  async processesAfter(ms: number): Promise<number[]> {
    const deadline = Date.now() + ms
    for (;;) {
      const pids = this.processes()
      if (pids.length === 0 || Date.now() > deadline) return pids
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((s) => s.stop()))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Seed 000's mock vehicle after `frames` frames of 10 ms, summed as the module does (x += 1.0 * dt). */
export function seedVehicleAt(frames: number): Record<string, number> {
  let x = 0
  let y = 0
  for (let f = 0; f < frames; f++) {
    x += 1.0 * 0.01
    y += 0.5 * 0.01
  }
  return { 'vehicle.position.x': x, 'vehicle.position.y': y, 'vehicle.velocity.x': 1.0, 'vehicle.velocity.y': 0.5 }
}
