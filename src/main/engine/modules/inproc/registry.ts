// The one list of built-in models: adding a model is one file and one line here.
import type { ModelDefinition } from './model'
import { injection } from './injection'
import { signalGenerator } from './signalGenerator'
import { pointMass } from './pointMass'
import { pid } from './pid'
import { sum } from './sum'

export const MODELS: Readonly<Record<string, ModelDefinition>> = {
  injection,
  signal_generator: signalGenerator,
  point_mass: pointMass,
  pid,
  sum
}

export function findModel(name: string): ModelDefinition | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined
}
