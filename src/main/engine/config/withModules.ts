// Loads a configuration together with the signals its script and process modules declare themselves:
// each such module is started once, asked for its declaration, and stopped, before signals and wires
// are resolved, so that the backplane layout, the wires and every message know the whole signal set.
// Process modules with a `build:` are built first when their executable is missing or out of date.
import { accessSync, constants, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import type { ModuleDeclaration } from '../modules/declaration'
import { moduleEnvironment, type ExternalModule, type ModuleEnvironment } from '../modules/environment'
import { runnerFor } from '../modules/kind'
import { buildIfNeeded } from './build'
import { DEFAULT_TIMEOUT_S, finishConfig, moduleNameProblem, prepareConfig, readConfigTextAsync, type LoadedConfig, type ParseOptions, type PreparedConfig } from './load'

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

const absolute = (dir: string, path: string): string => (isAbsolute(path) ? path : resolve(dir, path))

/** Builds, all at once, every process module whose `build:` says its executable is missing or stale. */
async function buildModules(prepared: PreparedConfig): Promise<void> {
  const { raw, dir } = prepared
  const jobs: { name: string; job: Promise<void> }[] = []
  for (const [name, m] of Object.entries(raw.modules)) {
    if (m.type !== 'process' || !m.build || !m.executable || moduleNameProblem(name)) continue
    jobs.push({ name, job: buildIfNeeded({ executable: absolute(dir, m.executable), command: m.build.command, sources: m.build.sources, dir }) })
  }
  const results = await Promise.allSettled(jobs.map((j) => j.job))
  results.forEach((result, i) => {
    if (result.status === 'rejected') prepared.report.error(['modules', jobs[i]!.name, 'build'], result.reason instanceof Error ? result.reason.message : String(result.reason), { multiline: true })
  })
}

/** Script and process modules that can be asked: the rest have errors that finishConfig reports. */
function targets(prepared: PreparedConfig): Target[] {
  const { raw, dir } = prepared
  const configPath = resolve(prepared.file)
  const rates = new Map(raw.execution.schedule.map((e) => [e.name, e.rate_hz]))
  const found: Target[] = []
  for (const [name, m] of Object.entries(raw.modules)) {
    if (m.type === 'inproc' || moduleNameProblem(name)) continue
    const key = m.type === 'process' ? 'executable' : 'script'
    const given = m[key]
    if (!given) continue
    const path = absolute(dir, given)
    if (!startable(path, key === 'executable') || runnerFor(m.type, path) === null) continue
    const mod: ExternalModule = {
      name,
      type: m.type,
      script: key === 'script' ? path : null,
      executable: key === 'executable' ? path : null,
      configFile: m.config ? absolute(dir, m.config) : null,
      options: m.options ?? {},
      timeoutS: m.timeout_s ?? DEFAULT_TIMEOUT_S
    }
    found.push({ mod, key, env: moduleEnvironment(mod, configPath, rates.get(name) ?? raw.execution.rate_hz) })
  }
  return found
}

/** parseConfig, with what every script and process module declares merged in (the YAML wins). */
export async function parseConfigWithModules(text: string, file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const prepared = prepareConfig(text, file, options)
  await buildModules(prepared)
  const asked = targets(prepared)
  // The module runners (child processes, the script worker, the logger) load only when a module is asked.
  const describe: ModuleDescriber | null = options.describe ?? (asked.length > 0 ? (await import('../modules/describe')).describeModule : null)
  // All at once (a Python module takes tens of ms to start), reported in the file's order.
  const answers = describe ? await Promise.allSettled(asked.map(({ mod, env }) => describe(mod, env))) : []
  const declarations = new Map<string, ModuleDeclaration | null>()
  answers.forEach((answer, i) => {
    const { mod, key } = asked[i]!
    if (answer.status === 'fulfilled') return declarations.set(mod.name, answer.value)
    // What the module printed (a traceback) keeps its lines.
    prepared.report.error(['modules', mod.name, key], answer.reason instanceof Error ? answer.reason.message : String(answer.reason), { multiline: true })
    declarations.set(mod.name, null)
  })
  return finishConfig(prepared, declarations)
}

/**
 * loadConfigFile, with what every script and process module declares merged in. Throws ConfigError.
 * The file is checked and read without blocking the thread (see readConfigTextAsync).
 */
export async function loadConfigFileWithModules(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  return parseConfigWithModules(await readConfigTextAsync(file), file, options)
}
