// The one list of built-in models: adding a model is one file and one line here.
import type { ModelDefinition } from './model'
import { injection } from './injection'
import { mockPhysics } from './mockPhysics'
import { signalGenerator } from './signalGenerator'
import { pointMass } from './pointMass'
import { pid } from './pid'
import { sum } from './sum'

export const MODELS: Readonly<Record<string, ModelDefinition>> = {
  injection,
  signal_generator: signalGenerator,
  point_mass: pointMass,
  pid,
  sum,
  mock_physics: mockPhysics
}

/** Hermes names an inproc module by its Python import path (`inproc_module:`); these are the built-in models they are. */
export const HERMES_INPROC_MODULES: Readonly<Record<string, string>> = {
  'hermes.modules.injection': 'injection',
  'hermes.modules.mock_physics': 'mock_physics'
}

export function findModel(name: string): ModelDefinition | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined
}

/** The model name for a Hermes `inproc_module` path, or undefined for one this engine does not have. */
export function findHermesModule(path: string): string | undefined {
  return Object.hasOwn(HERMES_INPROC_MODULES, path) ? HERMES_INPROC_MODULES[path] : undefined
}
