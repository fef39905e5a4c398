// How to start a process module: the command line and environment for an executable or a Python script.
import { basename, delimiter } from 'node:path'
import { environmentVariables, startupTimeoutMs, type ExternalModule, type ModuleEnvironment } from '../environment'
import { moduleHelpersDir } from '../helpers'
import { PROTOCOL_VERSION } from './protocol'

/** Plain data: it is built on the engine thread and also read by the scheduler thread. */
export interface ProcessSpec {
  name: string
  command: string
  args: string[]
  env: Record<string, string>
  /** How messages name the program: `python3 mock_module.py`, `./plant`. */
  display: string
  timeoutMs: number
  startupTimeoutMs: number
}

/** `python3` from PATH unless HERMES_PYTHON names another interpreter. */
export function pythonCommand(): string {
  return process.env.HERMES_PYTHON || 'python3'
}

/** `spinUs`: how long the module may spin for its next request before it blocks (HERMES_SPIN_US, see spin.ts). */
export function processSpec(mod: ExternalModule, env: ModuleEnvironment, spinUs = 0): ProcessSpec {
  const extra = mod.configFile ? [mod.configFile] : []
  const python = mod.type === 'script'
  const command = python ? pythonCommand() : (mod.executable ?? '')
  const file = python ? (mod.script ?? '') : command
  const helpers = moduleHelpersDir()
  const pythonPath = [helpers, process.env.PYTHONPATH].filter((p): p is string => !!p).join(delimiter)
  return {
    name: mod.name,
    command,
    // Like Hermes, the module's own config file is its argument.
    args: python ? [file, ...extra] : extra,
    env: {
      ...stringEnv(process.env),
      ...environmentVariables(env),
      HERMES_PROTOCOL: String(PROTOCOL_VERSION),
      HERMES_SPIN_US: String(spinUs),
      // The helpers ask Linux to end them with the engine, and check that it is still there after asking.
      HERMES_ENGINE_PID: String(process.pid),
      // The names Hermes gives its modules; resources/modules/hermes (the compatibility package) checks them.
      ...hermesNames(),
      // So that `import hermes_module` works from any folder, and prints arrive before a crash.
      PYTHONPATH: pythonPath,
      PYTHONUNBUFFERED: '1'
    },
    display: python ? `${basename(command)} ${basename(file)}` : basename(command),
    timeoutMs: mod.timeoutS * 1000,
    startupTimeoutMs: startupTimeoutMs(mod)
  }
}

/** Hermes's names for its segment and barrier (`/hermes_<pid>`), which modules written for Hermes read. */
export function hermesNames(pid = process.pid): { HERMES_SHM_NAME: string; HERMES_BARRIER_NAME: string } {
  return { HERMES_SHM_NAME: `/hermes_${pid}`, HERMES_BARRIER_NAME: `/hermes_barrier_${pid}` }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}
