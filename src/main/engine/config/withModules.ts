// Loads a configuration together with the signals its script and process modules declare themselves:
// each such module is started once, asked for its declaration, and stopped, before signals and wires
// are resolved, so that the backplane layout, the wires and every message know the whole signal set.
import { accessSync, constants, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import type { ModuleDeclaration } from '../modules/declaration'
import { describeModule } from '../modules/describe'
import { moduleEnvironment, type ExternalModule, type ModuleEnvironment } from '../modules/environment'
import { runnerFor } from '../modules/kind'
import { DEFAULT_TIMEOUT_S, finishConfig, prepareConfig, readConfigText, type LoadedConfig, type ParseOptions, type PreparedConfig } from './load'

export type ModuleDescriber = (mod: ExternalModule, env: ModuleEnvironment) => Promise<ModuleDeclaration>

export interface LoadOptions extends Omit<ParseOptions, 'declarations'> {
  /** Asks one module for its declaration; the default starts it (tests may stub it). */
  describe?: ModuleDescriber
}

interface Target {
  mod: ExternalModule
  env: ModuleEnvironment
  key: 'script' | 'executable'
}

/** Whether the file can be started; finishConfig reports why not. */
function startable(path: string, executable: boolean): boolean {
  try {
    if (executable) accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Script and process modules that can be asked: the rest have errors that finishConfig reports. */
function targets(prepared: PreparedConfig): Target[] {
  const { raw, dir } = prepared
  const configPath = resolve(prepared.file)
  const found: Target[] = []
  for (const [name, m] of Object.entries(raw.modules)) {
    if (m.type === 'inproc' || name.includes('.') || name.trim() === '') continue
    const key = m.type === 'process' ? 'executable' : 'script'
    const given = m[key]
    if (!given) continue
    const path = isAbsolute(given) ? given : resolve(dir, given)
    if (!startable(path, key === 'executable') || runnerFor(m.type, path) === null) continue
    const mod: ExternalModule = {
      name,
      type: m.type,
      script: key === 'script' ? path : null,
      executable: key === 'executable' ? path : null,
      configFile: m.config ? (isAbsolute(m.config) ? m.config : resolve(dir, m.config)) : null,
      options: m.options ?? {},
      timeoutS: m.timeout_s ?? DEFAULT_TIMEOUT_S
    }
    const scheduled = raw.execution.schedule.find((e) => e.name === name)
    found.push({ mod, key, env: moduleEnvironment(mod, configPath, scheduled?.rate_hz ?? raw.execution.rate_hz) })
  }
  return found
}

/** parseConfig, with what every script and process module declares merged in (the YAML wins). */
export async function parseConfigWithModules(text: string, file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const prepared = prepareConfig(text, file, options)
  const describe = options.describe ?? describeModule
  const asked = targets(prepared)
  // All at once (a Python module takes tens of ms to start), reported in the file's order.
  const answers = await Promise.allSettled(asked.map(({ mod, env }) => describe(mod, env)))
  const declarations = new Map<string, ModuleDeclaration | null>()
  answers.forEach((answer, i) => {
    const { mod, key } = asked[i]!
    if (answer.status === 'fulfilled') return declarations.set(mod.name, answer.value)
    prepared.report.error(['modules', mod.name, key], answer.reason instanceof Error ? answer.reason.message : String(answer.reason))
    declarations.set(mod.name, null)
  })
  return finishConfig(prepared, declarations)
}

/** loadConfigFile, with what every script and process module declares merged in. Throws ConfigError. */
export function loadConfigFileWithModules(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  return parseConfigWithModules(readConfigText(file), file, options)
}
