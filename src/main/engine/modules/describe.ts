// Asks a script or process module what signals it declares, by starting it briefly (see config/withModules.ts).
import type { ModuleDeclaration } from './declaration'
import type { ExternalModule, ModuleEnvironment } from './environment'
import { runnerFor } from './kind'
import { ModuleProcess } from './process/moduleProcess'
import { processSpec } from './process/spec'
import { describeScript } from './script/describeScript'

export async function describeModule(mod: ExternalModule, env: ModuleEnvironment): Promise<ModuleDeclaration> {
  const runner = runnerFor(mod.type, mod.script)
  if (runner === 'worker') return describeScript(mod)
  if (runner !== 'process') throw new Error(`module '${mod.name}' is not a script or process module`)
  const proc = await ModuleProcess.start(processSpec(mod, env))
  // Closing its stdin ends it: it never got INIT, so none of its hooks ran.
  await proc.stop()
  return proc.declaration
}
