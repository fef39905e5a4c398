// Builds the running instance of a configured module, whatever its kind: the one place that picks the kind.
import type { ResolvedConfig, ResolvedModule } from '../config/types'
import type { Backplane } from '../backplane/backplane'
import { environmentIn } from './environment'
import { findModel } from './inproc/registry'
import { runnerFor } from './kind'
import { moduleSpinMicros } from './spin'
import type { ModuleInstance } from './module'
import type { ProcessHandoff } from './process/moduleProcess'
import { ProcessModule } from './process/processModule'
import { ScriptModule } from './script/scriptModule'

/** What modules other than built-in ones need from the run: the config (paths, rates) and the started processes. */
export interface ModuleRuntime {
  config: ResolvedConfig
  /** Process modules, started by the engine thread before the scheduler thread (modules/process/processHost.ts). */
  processes: Readonly<Record<string, ProcessHandoff>>
}

export function createModule(mod: ResolvedModule, backplane: Backplane, runtime: ModuleRuntime): ModuleInstance {
  switch (runnerFor(mod.type, mod.script)) {
    case 'inproc':
      return createInproc(mod, backplane)
    case 'worker':
      return new ScriptModule(mod, backplane, environmentIn(runtime.config, mod), moduleSpinMicros(runtime.config) / 1000)
    case 'process': {
      const handoff = runtime.processes[mod.name]
      if (!handoff) throw new Error(`module '${mod.name}': its process was not started`)
      return new ProcessModule(mod, backplane, handoff)
    }
    default:
      throw new Error(`module '${mod.name}': no runner for script ${String(mod.script)}`)
  }
}

function createInproc(mod: ResolvedModule, backplane: Backplane): ModuleInstance {
  const model = findModel(mod.model ?? '')
  if (!model) throw new Error(`module '${mod.name}': unknown model '${String(mod.model)}'`)
  return model.create({
    name: mod.name,
    // The loader has already parsed these options with the model's own schema.
    options: mod.options,
    values: backplane.values,
    slot(name) {
      const index = backplane.slot(`${mod.name}.${name}`)
      if (index === undefined) throw new Error(`module '${mod.name}' has no signal '${name}'`)
      return index
    }
  })
}
