// Builds the running instance of a configured module, whatever its kind.
import type { ResolvedModule } from '../config/types'
import type { Backplane } from '../backplane/backplane'
import type { ModuleInstance } from './module'
import { findModel } from './inproc/registry'

export function createModule(mod: ResolvedModule, backplane: Backplane): ModuleInstance {
  if (mod.type !== 'inproc') {
    throw new Error(`module '${mod.name}': '${mod.type}' modules are not supported by this engine yet`)
  }
  const model = findModel(mod.model ?? '')
  if (!model) throw new Error(`module '${mod.name}': unknown model '${String(mod.model)}'`)
  const local = new Map(mod.signals.map((s) => [s.name, s]))
  return model.create({
    name: mod.name,
    // The loader has already parsed these options with the model's own schema.
    options: mod.options,
    values: backplane.values,
    signalNames: mod.signals.map((s) => s.name),
    slot(name) {
      const index = backplane.slot(`${mod.name}.${name}`)
      if (index === undefined) throw new Error(`module '${mod.name}' has no signal '${name}'`)
      return index
    },
    initial(name) {
      return local.get(name)?.initial ?? 0
    }
  })
}
