// How a built-in (inproc) model is declared: its options, its default signals, and a factory.
import type { z } from 'zod'
import type { ModuleInstance } from '../module'

export interface ModelSignal {
  name: string
  unit?: string
  writable?: boolean
  published?: boolean
  initial?: number
  description?: string
}

/** What a model instance gets to work with: fast slot indices into the shared backplane. */
export interface ModelContext<Options> {
  name: string
  options: Options
  values: Float64Array
  /** Slot index of one of this module's signals, by local name. Throws on an unknown name. */
  slot(localName: string): number
}

export interface ModelDefinition<Schema extends z.ZodType = z.ZodType> {
  description: string
  options: Schema
  /**
   * Default signals for the given options. With `freeSignals`, the YAML may declare any further
   * signals, with these defaults (an injection module has only what the YAML lists); without it, a
   * YAML signal must name one of these, and may only override its flags.
   */
  signals(options: z.output<Schema>): ModelSignal[]
  freeSignals?: { writable: boolean }
  create(ctx: ModelContext<z.output<Schema>>): ModuleInstance
}

/** Keeps each model's option type attached to its factory without widening to unknown. */
export function defineModel<Schema extends z.ZodType>(def: ModelDefinition<Schema>): ModelDefinition<Schema> {
  return def
}
