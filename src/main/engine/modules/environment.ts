// What every script and process module is told about itself: its name, the config path, its rate, its options.
import type { ResolvedConfig, ResolvedModule } from '../config/types'

/** The part of a resolved module that starting a script or process module needs (the loader has it before signals). */
export type ExternalModule = Pick<ResolvedModule, 'name' | 'type' | 'script' | 'executable' | 'configFile' | 'options' | 'timeoutS'>

export interface ModuleEnvironment {
  name: string
  /** Absolute path of the YAML configuration, or null for a configuration built in code. */
  configPath: string | null
  /** The module's own `config:` file, absolute, or null. */
  configFile: string | null
  /** How often the module steps: the frame rate times its sub-steps. */
  rateHz: number
  options: Record<string, unknown>
}

/** Modules wait this long at least for a module to start (load, compile, import) and init. */
export const STARTUP_TIMEOUT_S = 10

export function startupTimeoutMs(mod: Pick<ResolvedModule, 'timeoutS'>): number {
  return Math.max(STARTUP_TIMEOUT_S, mod.timeoutS) * 1000
}

export function moduleEnvironment(mod: ExternalModule, configPath: string | null, rateHz: number): ModuleEnvironment {
  return { name: mod.name, configPath, configFile: mod.configFile, rateHz, options: mod.options }
}

/** The environment of a resolved module in a resolved configuration (its rate from the schedule). */
export function environmentIn(config: ResolvedConfig, mod: ResolvedModule): ModuleEnvironment {
  const substeps = config.execution.schedule.find((e) => e.module === mod.name)?.substeps ?? 1
  return moduleEnvironment(mod, config.file, config.execution.rateHz * substeps)
}

/** The same as environment variables, for process modules. */
export function environmentVariables(env: ModuleEnvironment): Record<string, string> {
  return {
    HERMES_MODULE_NAME: env.name,
    HERMES_CONFIG_PATH: env.configPath ?? '',
    HERMES_MODULE_CONFIG: env.configFile ?? '',
    HERMES_RATE_HZ: String(env.rateHz),
    HERMES_OPTIONS: JSON.stringify(env.options)
  }
}
