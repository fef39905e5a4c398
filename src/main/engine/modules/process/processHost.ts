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

  /** Kills every process now: unblocks a scheduler thread that waits on one, so that it can stop. */
  killAll(): void {
    for (const p of this.processes.values()) p.kill()
  }

  /** Only once the scheduler thread has stopped using the pipes. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.watchdog) clearInterval(this.watchdog)
      await Promise.all([...this.processes.values()].map((p) => p.stop()))
    })()
    return this.stopping
  }
}
