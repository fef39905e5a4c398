// Types and an identity helper for writing a script module (type: script, .js/.mjs/.ts) with autocompletion.
// Pure TypeScript with no runtime dependencies: a script can import it, or only its types (`import type`).

export type SignalType = 'f64' | 'f32' | 'i64' | 'i32' | 'bool'

/** A signal the module declares itself. The YAML may declare it too; where both set a field, the YAML wins. */
export interface SignalDeclaration {
  /** Local name inside the module, dots allowed: `position.x`. */
  name: string
  type?: SignalType
  unit?: string
  /** Clients may `set` it and wires may write it (default false). */
  writable?: boolean
  /** Shown to clients (default true). */
  published?: boolean
  /** Value after stage and after every reset (default 0). */
  initial?: number
  description?: string
  /** Bounds clients colour and alarm on (docs/configuration.md, `limits`); the YAML's win. */
  limits?: { warn?: [number | null, number | null]; alarm?: [number | null, number | null] }
}

/** One of the module's signals: reads and writes go straight to its slot in the shared backplane. */
export interface Signal {
  readonly name: string
  readonly writable: boolean
  value: number
}

/** Time as the module sees it during one step. */
export interface StepTime {
  /** Frame being computed (0 for the first step after stage or reset). */
  readonly frame: number
  /** Simulation time at the start of this step, integer nanoseconds. */
  readonly timeNs: number
  /** The same time in seconds. */
  readonly time: number
  /** This module's step in seconds. */
  readonly dt: number
}

/** What the engine tells a module about itself; the same for every hook. */
export interface ModuleContext {
  /** The module's name in the configuration (`vehicle`). */
  readonly name: string
  /** Absolute path of the YAML configuration, or null for a configuration built in code. */
  readonly configPath: string | null
  /** The module's own configuration file (its `config:` key), absolute, or null. */
  readonly configFile: string | null
  /** How often the module steps, in Hz (the frame rate times its sub-steps). */
  readonly rateHz: number
  /** The module's `options:` from the YAML, as plain JSON data. */
  readonly options: Readonly<Record<string, unknown>>
  /** Local names of all the module's signals, in slot order. */
  readonly signalNames: readonly string[]
  /** A handle on one of the module's signals; throws on a name the module does not have. */
  signal(name: string): Signal
}

/**
 * A script module. Only `step` is required. `init` and `terminate` may be async; `stage`, `step` and
 * `reset` run inside the frame and must be synchronous.
 */
export interface ModuleDefinition {
  /** Signals the module declares; the YAML may add more or override their fields. */
  signals?: readonly SignalDeclaration[]
  /** Once, when the run starts, before stage: look up signal handles, read files. */
  init?(ctx: ModuleContext): void | Promise<void>
  /** Before the first frame: put internal state to its initial value and write initial outputs. */
  stage?(ctx: ModuleContext): void
  /** One step: read inputs, write outputs. */
  step(t: StepTime, ctx: ModuleContext): void
  /** Back to the staged state after the engine restored every signal's initial value; stage() when absent. */
  reset?(ctx: ModuleContext): void
  /** Once, when the run stops. */
  terminate?(ctx: ModuleContext): void | Promise<void>
}

/** Returns its argument: it exists so that an editor knows the type of every hook and field. */
export function defineModule<T extends ModuleDefinition>(definition: T): T {
  return definition
}
