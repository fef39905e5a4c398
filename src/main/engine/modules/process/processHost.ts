// The module processes of one run, on the engine thread: started together before the scheduler thread,
// watched while it runs (the per-step timeout), and stopped after it, whatever way it ended.
import type { ResolvedConfig } from '../../config/types'
import type { ModuleDeclaration } from '../declaration'
import { environmentIn } from '../environment'
import { runnerFor } from '../kind'
import { moduleSpinMicros } from '../spin'
import { sharedNow } from './childStatus'
import { ModuleProcess, type ProcessHandoff } from './moduleProcess'
import { processSpec } from './spec'

/** A module that declares a signal the configuration lacks was loaded without its declarations, or changed since. */
export function checkDeclaredSignals(module: string, source: string, declared: ModuleDeclaration, configured: readonly string[]): void {
  const have = new Set(configured)
  const extra = declared.signals.map((s) => s.name).filter((n) => !have.has(n))
  if (extra.length === 0) return
  throw new Error(
    `module '${module}': ${source} declares ${extra.map((n) => `'${n}'`).join(', ')}, which the configuration does not have ` +
      `(it was loaded without asking its modules, or the module changed since): reload it, or list ${extra.length === 1 ? 'it' : 'them'} in the YAML`
  )
}

export class ProcessHost {
  private watchdog: NodeJS.Timeout | null = null
  private stopping: Promise<void> | null = null
  /** Processes replaced by a restart whose pipes the scheduler thread may still hold. */
  private readonly retired = new Set<ModuleProcess>()

  private constructor(private readonly processes: Map<string, ModuleProcess>) {
    if (processes.size === 0) return
    const shortest = Math.min(...[...processes.values()].map((p) => p.spec.timeoutMs))
    this.watchdog = setInterval(() => {
      const now = sharedNow()
      for (const p of processes.values()) p.watch(now)
    }, Math.min(250, Math.max(10, shortest / 5)))
    this.watchdog.unref()
  }

  /** Starts every process module of the config at once and reads their HELOs; on any failure, stops them all. */
  static async start(config: ResolvedConfig): Promise<ProcessHost> {
    const modules = config.modules.filter((m) => runnerFor(m.type, m.script) === 'process')
    const spinUs = moduleSpinMicros(config)
    const started = await Promise.allSettled(modules.map((m) => ModuleProcess.start(processSpec(m, environmentIn(config, m), spinUs))))
    const processes = new Map<string, ModuleProcess>()
    const failures: string[] = []
    started.forEach((result, i) => {
      const mod = modules[i]!
      if (result.status === 'rejected') {
        failures.push(`module '${mod.name}': ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`)
        return
      }
      processes.set(mod.name, result.value)
      try {
        checkDeclaredSignals(mod.name, result.value.spec.display, result.value.declaration, mod.signals.map((s) => s.name))
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error))
      }
    })
    const host = new ProcessHost(processes)
    if (failures.length > 0) {
      await host.stop()
      throw new Error(failures.join('\n'))
    }
    return host
  }

  /** Plain data for the scheduler thread, by module name. */
  handoffs(): Record<string, ProcessHandoff> {
    return Object.fromEntries([...this.processes].map(([name, p]) => [name, p.handoff()]))
  }

  /** True when `name` is one of this run's process modules. */
  has(name: string): boolean {
    return this.processes.has(name)
  }

  /**
   * Kills the module's process (and its group) and starts it again, reading its HELO. The old one's pipes
   * stay open until `release` is called: the scheduler thread may still hold them until it has switched.
   */
  async restart(name: string): Promise<{ handoff: ProcessHandoff; release: () => Promise<void> }> {
    const old = this.processes.get(name)
    if (!old) throw new Error(`module '${name}' is not a process module`)
    if (this.stopping) throw new Error('the run is stopping')
    old.kill()
    await old.exited
    this.retired.add(old)
    const next = await ModuleProcess.start(old.spec)
    if (this.stopping) {
      await next.stop(0)
      throw new Error('the run is stopping')
    }
    try {
      checkDeclaredSignals(name, next.spec.display, next.declaration, old.declaration.signals.map((s) => s.name))
    } catch (error) {
      await next.stop(0)
      throw error
    }
    this.processes.set(name, next)
    return {
      handoff: next.handoff(),
      release: async () => {
        this.retired.delete(old)
        await old.stop(0)
      }
    }
  }

  /** Modules the scheduler thread is waiting on for a reply right now. */
  blockedModules(): string[] {
    return [...this.processes].filter(([, p]) => p.status.blocked).map(([name]) => name)
  }

  /** Modules whose process has not exited yet. */
  runningModules(): string[] {
    return [...this.processes].filter(([, p]) => !p.status.exited).map(([name]) => name)
  }

  /** Kills every process now: unblocks a scheduler thread that waits on one, so that it can stop. */
  killAll(): void {
    for (const p of [...this.processes.values(), ...this.retired]) p.kill()
  }

  /** Only once the scheduler thread has stopped using the pipes. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.watchdog) clearInterval(this.watchdog)
      await Promise.all([...this.processes.values(), ...this.retired].map((p) => p.stop()))
    })()
    return this.stopping
  }
}
