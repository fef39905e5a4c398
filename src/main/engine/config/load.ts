// Loads a YAML configuration into a ResolvedConfig, or reports every problem with file, path, line and column.
import { accessSync, closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, resolve } from 'node:path'
import { isAlias, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml'
import { z } from 'zod'
import { boundedText } from '../../../shared/text/bounded'
import { expandPatterns } from '../../../shared/protocol/patterns'
import type { ModuleDeclaration } from '../modules/declaration'
import type { ModelSignal } from '../modules/inproc/model'
import { findHermesModule, findModel, HERMES_INPROC_MODULES, MODELS } from '../modules/inproc/registry'
import { runnerFor, SCRIPT_EXTENSIONS } from '../modules/kind'
import { dtNsFromRate, secondsToNs } from '../scheduler/time'
import { ConfigError, formatPath, type ConfigIssue, type ConfigPath } from './issues'
import { LAYOUT_FORMAT } from '../../../shared/layout'
import { applySet, isUnder, SetError, type ConfigSet } from './override'
import { MAX_CONFIG_BYTES, MAX_LAYOUT_BYTES, MAX_MESSAGE_CHARS, MAX_NAME_CHARS, MAX_REPORTED_ISSUES, MAX_SUBSTEPS } from './limits'
import { SourcePositions } from './positions'
import { configSchema, type RawConfig, type RawModule } from './schema'
import { didYouMean } from './suggest'
import type { ResolvedConfig, ResolvedConsole, ResolvedModule, ResolvedRecording, ResolvedSignal, ResolvedWire, ScheduleEntry, SignalType } from './types'

/** How long a script or process module may take for one step (or stage, reset) before it counts as hung. */
export const DEFAULT_TIMEOUT_S = 5

export interface LoadedConfig {
  config: ResolvedConfig
  warnings: ConfigIssue[]
}

/** A message, or a function that builds it: suggestions cost a scan of the candidates, so only listed issues pay for theirs. */
export type Message = string | (() => string)

/**
 * Collects issues with their source positions; `errors` decides whether the config is usable. User text
 * in messages and paths is escaped and bounded here, once for all. At most MAX_REPORTED_ISSUES errors
 * (and as many warnings) are kept: a file with 100k bad signals costs no more to report than one with 100.
 */
export class Reporter {
  readonly errors: ConfigIssue[] = []
  readonly warnings: ConfigIssue[] = []
  private moreErrors = 0
  private moreWarnings = 0
  /** Paths whose values come from overrides, not from the file: they have no line and column. */
  overridden: ConfigPath[] = []

  constructor(
    private readonly file: string,
    private readonly positions: SourcePositions | null
  ) {}

  /** Whether any error was found, listed or not. */
  get failed(): boolean {
    return this.errors.length > 0
  }

  /**
   * With `multiline`, the message keeps its line breaks (what a module printed, such as a traceback):
   * each line is escaped and bounded on its own, so none can carry a terminal code.
   */
  error(path: ConfigPath, message: Message, opts: { key?: boolean; multiline?: boolean } = {}): void {
    if (this.errors.length >= MAX_REPORTED_ISSUES) this.moreErrors++
    else this.errors.push(this.issue('error', path, message, opts))
  }

  warn(path: ConfigPath, message: Message, opts: { key?: boolean } = {}): void {
    if (this.warnings.length >= MAX_REPORTED_ISSUES) this.moreWarnings++
    else this.warnings.push(this.issue('warning', path, message, opts))
  }

  /** Whether the value at `path` comes from an override (it, or a mapping or list above it). */
  isOverridden(path: ConfigPath): boolean {
    return this.overridden.some((o) => isUnder(path, o))
  }

  /** A --set that cannot be applied: not tied to a place in the file, so no line and column. */
  setError(set: ConfigSet, why: string): void {
    if (this.errors.length >= MAX_REPORTED_ISSUES) return void this.moreErrors++
    const where = boundedText(formatPath(set.path), MAX_MESSAGE_CHARS)
    this.errors.push({ severity: 'error', file: this.file, line: 0, column: 0, path: where, message: boundedText(`${why} (--set ${set.text})`, MAX_MESSAGE_CHARS) })
  }

  atOffset(offset: number, message: string, severity: ConfigIssue['severity'] = 'error'): void {
    const list = severity === 'error' ? this.errors : this.warnings
    if (list.length >= MAX_REPORTED_ISSUES) {
      if (severity === 'error') this.moreErrors++
      else this.moreWarnings++
      return
    }
    const pos = this.positions?.at(offset) ?? { line: 1, column: 1 }
    list.push({ severity, file: this.file, line: pos.line, column: pos.column, path: '', message: boundedText(message, MAX_MESSAGE_CHARS) })
  }

  /** The errors, and a last line counting those not listed. */
  errorList(): ConfigIssue[] {
    return this.moreErrors === 0 ? this.errors : [...this.errors, this.summary('error', this.moreErrors)]
  }

  warningList(): ConfigIssue[] {
    return this.moreWarnings === 0 ? this.warnings : [...this.warnings, this.summary('warning', this.moreWarnings)]
  }

  /** Throws every error found so far as one ConfigError. */
  fail(): never {
    throw new ConfigError(this.errorList(), this.warningList())
  }

  private summary(severity: ConfigIssue['severity'], count: number): ConfigIssue {
    const what = severity === 'error' ? 'error' : 'warning'
    return { severity, file: this.file, line: 1, column: 1, path: '', message: `${count} more ${what}${count === 1 ? '' : 's'} not listed (only the first ${MAX_REPORTED_ISSUES} are)` }
  }

  private issue(severity: ConfigIssue['severity'], path: ConfigPath, message: Message, opts: { key?: boolean; multiline?: boolean }): ConfigIssue {
    const raw = typeof message === 'function' ? message() : message
    const text = opts.multiline ? raw.split('\n').map((line) => boundedText(line, MAX_MESSAGE_CHARS)).join('\n') : boundedText(raw, MAX_MESSAGE_CHARS)
    const where = boundedText(formatPath(path), MAX_MESSAGE_CHARS)
    if (this.isOverridden(path)) {
      return { severity, file: this.file, line: 0, column: 0, path: where, message: `${text} (set by an override, not in the file)` }
    }
    const pos = this.positions?.of(path, opts) ?? { line: 0, column: 0 }
    return { severity, file: this.file, line: pos.line, column: pos.column, path: where, message: text }
  }
}

type Schema = z.ZodType

function unwrapSchema(schema: unknown): unknown {
  let s = schema
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap()
    else if (s instanceof z.ZodPipe) s = s.out
    else return s
  }
}

/** Keys the schema accepts for the object at `path`, to suggest a fix for a misspelt key. */
function knownKeys(schema: Schema, path: ConfigPath): string[] {
  let s = unwrapSchema(schema)
  for (const part of path) {
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, unknown>)[String(part)]
    else if (s instanceof z.ZodArray) s = s.element
    else if (s instanceof z.ZodRecord) s = s.valueType
    else return []
    s = unwrapSchema(s)
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : []
}

/** YAML words for zod's JavaScript ones: a user writes mappings and lists, not records and arrays. */
const YAML_WORDS: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list' }
const yamlWords = (text: string): string => text.replace(/\b(expected|received) (object|record|array)\b/g, (_, verb: string, noun: string) => `${verb} ${YAML_WORDS[noun]}`)

function describeZodIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const message = yamlWords(issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, ''))
  const parent: Record<PropertyKey, unknown> | null = childAt(input, issue.path.slice(0, -1))
  const key = issue.path[issue.path.length - 1]
  // A missing key fails as whatever its schema checks first (type, enum...); say that it is missing.
  if (issue.code !== 'custom' && parent !== null && key !== undefined && parent[key] === undefined) {
    return issue.code === 'invalid_type' ? yamlWords(`required, expected ${issue.expected}`) : `required, ${message}`
  }
  return message
}

function childAt(root: unknown, path: readonly PropertyKey[]): Record<string, unknown> | null {
  let node = root
  for (const part of path) {
    if (node === null || typeof node !== 'object') return null
    node = (node as Record<PropertyKey, unknown>)[part]
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : null
}

const toPath = (path: readonly PropertyKey[]): (string | number)[] => path.map((p) => (typeof p === 'number' ? p : String(p)))

/**
 * Validates with a strict schema, but turns unknown keys into warnings: they are reported at their
 * position (with a suggestion), removed, and the rest is validated again.
 */
export function validate<S extends Schema>(schema: S, raw: unknown, base: ConfigPath, report: Reporter): z.output<S> | undefined {
  let input = raw
  for (;;) {
    const result = schema.safeParse(input)
    if (result.success) return result.data
    const unknownKeys = result.error.issues.filter((i) => i.code === 'unrecognized_keys')
    if (unknownKeys.length === 0) {
      for (const issue of result.error.issues) report.error([...base, ...toPath(issue.path)], describeZodIssue(issue, input))
      return undefined
    }
    input = structuredClone(input)
    for (const issue of unknownKeys) {
      const owner = childAt(input, issue.path)
      const candidates = knownKeys(schema, toPath(issue.path))
      for (const key of issue.keys) {
        // A key set from the command line is a request, not a leftover: an unknown one is refused.
        if (report.isOverridden([...base, ...toPath(issue.path), key])) {
          report.error([...base, ...toPath(issue.path), key], `unknown key '${key}'${didYouMean(key, candidates)}; --set can only set keys that the configuration knows`)
          if (owner) delete owner[key]
          continue
        }
        report.warn([...base, ...toPath(issue.path), key], `unknown key '${key}' is ignored${didYouMean(key, candidates)}`, { key: true })
        if (owner) delete owner[key]
      }
    }
  }
}

function resolvePath(dir: string, path: string | null | undefined): string | null {
  if (!path) return null
  return isAbsolute(path) ? path : resolve(dir, path)
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * Why a module name cannot be used, or null. A '.' separates module from signal in a qualified name;
 * '__proto__' is refused before this, wherever it is a key (see refuseProtoKeys).
 */
export function moduleNameProblem(name: string): string | null {
  if (name.includes('.') || name.trim() === '') return `module name '${name}' must be non-empty and contain no '.', since '.' separates module from signal`
  if (name.length > MAX_NAME_CHARS) return `module name is ${name.length} characters long; at most ${MAX_NAME_CHARS} are allowed`
  if (CONTROL_CHARACTER.test(name)) return `module name '${name}' contains a control character`
  return null
}

/** The built-in model of an inproc module: `model`, or Hermes's `inproc_module` Python path for the same model. */
function modelOf(name: string, mod: RawModule, report: Reporter): string | null {
  const base = ['modules', name]
  const available = `available: ${Object.keys(MODELS).join(', ')} (or inproc_module: ${Object.keys(HERMES_INPROC_MODULES).join(', ')})`
  let model = mod.model ?? null
  if (mod.inproc_module !== undefined) {
    const mapped = findHermesModule(mod.inproc_module)
    if (!mapped) {
      const known = Object.keys(HERMES_INPROC_MODULES)
      report.error([...base, 'inproc_module'], () => `unknown inproc_module '${mod.inproc_module}'${didYouMean(mod.inproc_module ?? '', known)}; this engine has: ${known.join(', ')}`)
      return null
    }
    if (model !== null && model !== mapped) {
      report.error([...base, 'model'], `model '${model}' contradicts inproc_module '${mod.inproc_module}', which is model '${mapped}'; give one of them`)
      return null
    }
    model = mapped
  }
  if (model === null) {
    report.error(base, `inproc modules need a 'model'; ${available}`)
    return null
  }
  return model
}

function resolveInprocSignals(name: string, modelName: string, mod: RawModule, report: Reporter): ResolvedSignal[] | null {
  const base = ['modules', name]
  const model = findModel(modelName)
  if (!model) {
    const names = Object.keys(MODELS)
    report.error([...base, 'model'], () => `unknown model '${modelName}'${didYouMean(modelName, names)}; available: ${names.join(', ')}`)
    return null
  }
  const options = validate(model.options, mod.options ?? {}, [...base, 'options'], report)
  if (options === undefined) return null
  mod.options = options as Record<string, unknown>

  // YAML-declared signals come first, in the YAML's order; the model's other signals follow in its own.
  const modelSignals = model.signals(options)
  const defaults = new Map(modelSignals.map((def) => [def.name, def]))
  const result: ResolvedSignal[] = []
  const taken = new Set<string>()
  mod.signals.forEach((yaml, index) => {
    // A duplicate has been reported by resolveModules; checking it again would call it unknown.
    if (taken.has(yaml.name)) return
    taken.add(yaml.name)
    const def = defaults.get(yaml.name)
    if (def) {
      defaults.delete(yaml.name)
      result.push(mergeSignal(name, def, yaml))
    } else if (model.freeSignals) {
      result.push(yamlSignal(name, yaml, model.freeSignals.writable))
    } else {
      report.error(['modules', name, 'signals', index, 'name'], () => {
        const names = modelSignals.map((s) => s.name)
        return `model '${modelName}' has no signal '${yaml.name}'${didYouMean(yaml.name, names)}; it has: ${names.join(', ')}`
      })
    }
  })
  for (const def of defaults.values()) result.push(mergeSignal(name, def, undefined))
  return result
}

/** The YAML's flags win over the model's (or the module's own) declaration. */
function mergeSignal(module: string, def: ModelSignal & { type?: SignalType; limits?: RawModule['signals'][number]['limits'] }, yaml: RawModule['signals'][number] | undefined): ResolvedSignal {
  return {
    name: def.name,
    qualified: `${module}.${def.name}`,
    type: yaml?.type ?? def.type ?? 'f64',
    unit: yaml?.unit ?? def.unit ?? '',
    writable: yaml?.writable ?? def.writable ?? false,
    published: yaml?.published ?? def.published ?? true,
    initial: yaml?.initial ?? def.initial ?? 0,
    description: yaml?.description ?? def.description ?? '',
    ...limitsOf(yaml?.limits ? yaml : def)
  }
}

/** The `limits` field of a resolved signal: only when the YAML gives a bound, so signals without stay as they were. */
function limitsOf(yaml: Pick<RawModule['signals'][number], 'limits'> | undefined): Pick<ResolvedSignal, 'limits'> {
  const l = yaml?.limits
  if (!l || (l.warn === undefined && l.alarm === undefined)) return {}
  return { limits: { ...(l.warn ? { warn: l.warn } : {}), ...(l.alarm ? { alarm: l.alarm } : {}) } }
}

function yamlSignal(module: string, s: RawModule['signals'][number], writableByDefault: boolean): ResolvedSignal {
  return {
    name: s.name,
    qualified: `${module}.${s.name}`,
    type: s.type ?? 'f64',
    unit: s.unit ?? '',
    writable: s.writable ?? writableByDefault,
    published: s.published ?? true,
    initial: s.initial ?? 0,
    description: s.description ?? '',
    ...limitsOf(s)
  }
}

const DECLARED_FIELDS = ['type', 'unit', 'writable', 'published', 'initial', 'description'] as const

/**
 * Signals of a script or process module: the YAML's first, in its order, then those the module declares
 * itself. Where both give a field the YAML wins, with a warning; a YAML signal that a declaring module
 * does not have is an error (most often a typo). A module that declares nothing has the YAML's signals.
 */
function resolveExternalSignals(name: string, mod: RawModule, declared: ModuleDeclaration | undefined, source: string, report: Reporter): ResolvedSignal[] {
  if (!declared || declared.signals.length === 0) {
    const taken = new Set<string>()
    const result: ResolvedSignal[] = []
    for (const s of mod.signals) {
      if (taken.has(s.name)) continue
      taken.add(s.name)
      result.push(yamlSignal(name, s, false))
    }
    return result
  }
  const own = new Map(declared.signals.map((s) => [s.name, s]))
  const result: ResolvedSignal[] = []
  const taken = new Set<string>()
  mod.signals.forEach((yaml, index) => {
    if (taken.has(yaml.name)) return
    taken.add(yaml.name)
    const def = own.get(yaml.name)
    if (!def) {
      report.error(['modules', name, 'signals', index, 'name'], () => {
        const names = declared.signals.map((s) => s.name)
        return `${source} does not declare signal '${yaml.name}'${didYouMean(yaml.name, names)}; it declares: ${names.join(', ')}`
      })
      return
    }
    own.delete(yaml.name)
    for (const field of DECLARED_FIELDS) {
      const mine = yaml[field]
      const theirs = def[field]
      if (mine !== undefined && theirs !== undefined && mine !== theirs) {
        report.warn(['modules', name, 'signals', index, field], `${field} is ${JSON.stringify(mine)} here but ${JSON.stringify(theirs)} in ${source}; the YAML wins`)
      }
    }
    result.push(mergeSignal(name, def, yaml))
  })
  for (const def of own.values()) result.push(mergeSignal(name, def, undefined))
  return result
}

function checkFile(path: string, pathInConfig: ConfigPath, what: string, mustExecute: boolean, report: Reporter): void {
  try {
    if (!statSync(path).isFile()) return report.error(pathInConfig, `${what} is not a file: ${path}`)
    if (mustExecute) accessSync(path, constants.X_OK)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') report.error(pathInConfig, `${what} not found: ${path}`)
    else if (code === 'EACCES') report.error(pathInConfig, `${what} is not executable: ${path}`)
    else report.error(pathInConfig, `${what} cannot be read: ${path} (${String(code)})`)
  }
}

/**
 * Signals that script and process modules declare themselves, by module name; null marks a module that
 * could not be asked (its error is already reported), so that nothing piles on it.
 */
export type ModuleDeclarations = ReadonlyMap<string, ModuleDeclaration | null>

function resolveModules(raw: RawConfig, dir: string, report: Reporter, checkFiles: boolean, declarations: ModuleDeclarations): ResolvedModule[] {
  const modules: ResolvedModule[] = []
  for (const [name, mod] of Object.entries(raw.modules)) {
    const base = ['modules', name]
    // Reported by prepareConfig.
    if (moduleNameProblem(name)) continue
    const seen = new Map<string, number>()
    mod.signals.forEach((s, i) => {
      const first = seen.get(s.name)
      if (first !== undefined) report.error([...base, 'signals', i, 'name'], `duplicate signal '${s.name}' (also at signals[${first}])`)
      else seen.set(s.name, i)
    })
    const script = resolvePath(dir, mod.script)
    const executable = resolvePath(dir, mod.executable)
    let signals: ResolvedSignal[] | null
    let model: string | null = null
    if (mod.type === 'inproc') {
      model = modelOf(name, mod, report)
      signals = model === null ? null : resolveInprocSignals(name, model, mod, report)
      if (mod.timeout_s !== undefined) report.warn([...base, 'timeout_s'], 'timeout_s applies to script and process modules only; it is ignored here', { key: true })
    } else {
      if (mod.inproc_module !== undefined) report.warn([...base, 'inproc_module'], 'inproc_module applies to inproc modules only; it is ignored here', { key: true })
      if (mod.type === 'process' && !executable) report.error(base, "'executable' required for process modules")
      if (mod.type === 'script' && !script) report.error(base, "'script' required for script modules")
      if (mod.build !== undefined && mod.type !== 'process') report.warn([...base, 'build'], 'build applies to process modules only; it is ignored here', { key: true })
      if (checkFiles && executable) checkFile(executable, [...base, 'executable'], 'executable', true, report)
      if (checkFiles && script) checkFile(script, [...base, 'script'], 'script', false, report)
      if (mod.type === 'script' && script && runnerFor('script', script) === null) {
        report.error([...base, 'script'], `a script must end in ${SCRIPT_EXTENSIONS.join(', ')}; run anything else as type: process with an executable`)
      }
      const declared = declarations.get(name)
      if (declared === null) continue
      signals = resolveExternalSignals(name, mod, declared, basename(script ?? executable ?? name), report)
    }
    if (!signals) continue
    modules.push({
      name,
      type: mod.type,
      model,
      script,
      executable,
      configFile: resolvePath(dir, mod.config),
      options: mod.options ?? {},
      signals,
      timeoutS: (mod.type !== 'inproc' ? mod.timeout_s : undefined) ?? DEFAULT_TIMEOUT_S
    })
  }
  return modules
}

function resolveWires(raw: RawConfig, modules: ResolvedModule[], report: Reporter): ResolvedWire[] {
  const signals = new Map<string, ResolvedSignal>()
  for (const m of modules) for (const s of m.signals) signals.set(s.qualified, s)
  const resolved = new Map(modules.map((m) => [m.name, m]))
  const moduleNames = new Set(raw.modules ? Object.keys(raw.modules) : [])
  const wires: ResolvedWire[] = []
  const destinations = new Map<string, number>()
  ;(raw.wiring ?? []).forEach((wire, i) => {
    let ok = true
    for (const end of ['src', 'dst'] as const) {
      const name = wire[end]
      const path = ['wiring', i, end]
      const dot = name.indexOf('.')
      if (dot <= 0 || dot === name.length - 1) {
        report.error(path, `expected 'module.signal' format: ${name}`)
        ok = false
        continue
      }
      const module = name.slice(0, dot)
      if (!moduleNames.has(module)) {
        report.error(path, () => `${end === 'src' ? 'source' : 'destination'} module not found: ${module}${didYouMean(module, moduleNames)}`)
        ok = false
        continue
      }
      const signal = signals.get(name)
      if (!signal) {
        const inModule = resolved.get(module)
        // A module whose signals could not be resolved has already been reported; do not pile on.
        if (inModule) {
          report.error(path, () => `${end === 'src' ? 'source' : 'destination'} signal not found: ${name}${didYouMean(name.slice(dot + 1), inModule.signals.map((s) => s.name))}`)
        }
        ok = false
        continue
      }
      if (end === 'dst' && !signal.writable) {
        report.error(path, `destination not writable: ${name} (mark it 'writable: true' in its module's signals)`)
        ok = false
      }
    }
    if (ok && wire.src === wire.dst) {
      report.error(['wiring', i], `cannot wire a signal to itself: ${wire.src}`)
      ok = false
    }
    if (!ok) return
    const earlier = destinations.get(wire.dst)
    if (earlier !== undefined) report.warn(['wiring', i, 'dst'], `${wire.dst} is also written by wiring[${earlier}]; this later wire wins each frame`)
    destinations.set(wire.dst, i)
    wires.push({ src: wire.src, dst: wire.dst, gain: wire.gain, offset: wire.offset })
  })
  return wires
}

function resolveSchedule(raw: RawConfig, report: Reporter): ScheduleEntry[] {
  const names = Object.keys(raw.modules)
  const known = new Set(names)
  const { schedule, rate_hz: rateHz } = raw.execution
  const entries: ScheduleEntry[] = []
  const listed = new Set<string>()
  schedule.forEach((entry, i) => {
    const path = ['execution', 'schedule', i]
    if (!known.has(entry.name)) {
      report.error(path, () => `schedule references unknown module: ${entry.name}${didYouMean(entry.name, names)}`)
      return
    }
    if (listed.has(entry.name)) {
      report.error(path, `module '${entry.name}' is listed twice in the schedule`)
      return
    }
    listed.add(entry.name)
    let substeps = 1
    if (entry.rate_hz !== undefined) {
      const ratio = entry.rate_hz / rateHz
      substeps = Math.round(ratio)
      if (substeps < 1 || Math.abs(ratio - substeps) > 1e-9 * ratio) {
        report.error([...path, 'rate_hz'], `rate_hz ${entry.rate_hz} of module '${entry.name}' must be an integer multiple of execution.rate_hz ${rateHz}`)
        return
      }
      if (substeps > MAX_SUBSTEPS) {
        report.error(
          [...path, 'rate_hz'],
          `rate_hz ${entry.rate_hz} of module '${entry.name}' is ${substeps} steps per frame at execution.rate_hz ${rateHz}; at most ${MAX_SUBSTEPS} are allowed, so that every frame finishes`
        )
        return
      }
    }
    entries.push({ module: entry.name, substeps })
  })
  if (schedule.length > 0) {
    const missing = names.filter((n) => !listed.has(n))
    if (missing.length > 0) {
      report.warn(['execution', 'schedule'], `modules not in the schedule step after it, in configuration order: ${missing.join(', ')}`)
    }
    for (const m of missing) entries.push({ module: m, substeps: 1 })
    return entries
  }
  return names.map((module) => ({ module, substeps: 1 }))
}

/** Command-line overrides, merged into the file's data before validation so they are checked alike. */
export interface ConfigOverrides {
  execution?: { mode?: string; rate_hz?: number; end_time?: number | null }
  server?: { enabled?: boolean; host?: string; port?: number }
  recording?: { enabled?: boolean; path?: string }
}

export interface ParseOptions {
  /** Check that script and executable files exist (off for configs built in memory by tests). */
  checkFiles?: boolean
  overrides?: ConfigOverrides
  /** `--set PATH=VALUE` overrides, applied in order before `overrides` (see override.ts). */
  sets?: readonly ConfigSet[]
  /**
   * The same text, parsed already by parseYamlText (a sweep loads one configuration many times, with
   * different sets): its data is copied and its positions reused instead of parsing the text again.
   */
  parsed?: { data: unknown; positions: SourcePositions }
  /**
   * Signals declared by script and process modules themselves (see withModules.ts, which asks them).
   * Without it, such modules have exactly the signals their YAML lists.
   */
  declarations?: ModuleDeclarations
}

/** Returns the paths it set. A section that is not a mapping is left alone, for validation to report. */
function applyOverrides(data: Record<string, unknown>, overrides: ConfigOverrides): ConfigPath[] {
  const applied: ConfigPath[] = []
  for (const [section, values] of Object.entries(overrides) as [string, Record<string, unknown> | undefined][]) {
    if (!values) continue
    const defined = Object.entries(values).filter(([, v]) => v !== undefined)
    if (defined.length === 0) continue
    const current = data[section]
    if (current !== null && current !== undefined && (typeof current !== 'object' || Array.isArray(current))) continue
    data[section] = { ...current, ...Object.fromEntries(defined) }
    for (const [key] of defined) applied.push([section, key])
  }
  return applied
}

/** Applies every --set it can, reporting those it cannot; returns the paths set. */
function applySets(data: Record<string, unknown>, sets: readonly ConfigSet[], report: Reporter): ConfigPath[] {
  const applied: ConfigPath[] = []
  for (const set of sets) {
    try {
      applySet(data, set)
      applied.push(set.path)
    } catch (error) {
      if (!(error instanceof SetError)) throw error
      report.setError(set, error.message)
    }
  }
  return applied
}

/** A configuration whose YAML parsed and matched the schema; modules, wires and schedule are not resolved yet. */
export interface PreparedConfig {
  file: string
  /** Folder that relative paths resolve against. */
  dir: string
  raw: RawConfig
  report: Reporter
  checkFiles: boolean
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * A key '__proto__' survives YAML parsing as an own key, but validation copies mappings into plain
 * objects, where assigning it sets the prototype and the entry vanishes without a word (a module named
 * so would be dropped silently). It is refused wherever it is a key. Iterative: nesting costs no stack.
 */
function refuseProtoKeys(data: unknown, report: Reporter): void {
  const stack: { value: unknown; path: ConfigPath }[] = [{ value: data, path: [] }]
  while (stack.length > 0) {
    const { value, path } = stack.pop()!
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        if (item !== null && typeof item === 'object') stack.push({ value: item, path: [...path, i] })
      })
    } else if (isPlainObject(value)) {
      if (Object.hasOwn(value, '__proto__')) {
        report.error([...path, '__proto__'], "'__proto__' cannot be a name or a key here: it is reserved in JavaScript objects", { key: true })
      }
      for (const key of Object.keys(value)) {
        const item = value[key]
        if (key !== '__proto__' && item !== null && typeof item === 'object') stack.push({ value: item, path: [...path, key] })
      }
    }
  }
}

/**
 * The YAML library builds values lazily and throws for what it could only see then (an alias whose
 * anchor is not set before it, too many aliases); such errors carry no position, so find the alias.
 */
function reportBuildError(doc: Document, error: unknown, report: Reporter): void {
  const message = error instanceof Error ? error.message : String(error)
  let found = false
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return
      found = true
      report.atOffset(node.range?.[0] ?? 0, `invalid YAML: unresolved alias '*${node.source}': no anchor '&${node.source}' is set before it`)
    }
  })
  if (found) return
  let firstAlias = 0
  visit(doc, {
    Node(_key, node) {
      if (!isAlias(node)) return
      firstAlias = node.range?.[0] ?? 0
      return visit.BREAK
    }
  })
  report.atOffset(firstAlias, `invalid YAML: ${message.split('\n')[0] ?? message}`)
}

/**
 * "Map keys must be unique", as the YAML library says it, at the second key. Keys are equal as the
 * library compares them: scalars by value (so `1` and `'1'` differ), other keys never.
 */
function reportDuplicateKeys(doc: Document, report: Reporter): void {
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const value: unknown = pair.key.value
        if (seen.has(value)) report.atOffset(pair.key.range?.[0] ?? 0, 'invalid YAML: Map keys must be unique')
        else seen.add(value)
      }
    }
  })
}

/**
 * YAML text to plain data, with a Reporter that places paths of that data at their line and column.
 * Throws ConfigError for any YAML error (each with its line and column). Also used by other YAML files
 * of the project (sweep files) so that they report alike.
 */
export function parseYamlText(text: string, file: string): { data: unknown; report: Reporter; positions: SourcePositions } {
  const lineCounter = new LineCounter()
  // The library's own duplicate-key check scans the whole mapping for every key: quadratic in a file of
  // 100k modules. reportDuplicateKeys does the same check with one set per mapping.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  const positions = new SourcePositions(doc, lineCounter)
  const report = new Reporter(file, positions)
  for (const error of doc.errors) report.atOffset(error.pos[0], `invalid YAML: ${error.message.split('\n')[0]}`)
  reportDuplicateKeys(doc, report)
  for (const warning of doc.warnings) report.atOffset(warning.pos[0], `YAML: ${warning.message.split('\n')[0]}`, 'warning')
  if (report.failed) report.fail()

  let data: unknown
  try {
    data = doc.toJS()
  } catch (error) {
    reportBuildError(doc, error, report)
    report.fail()
  }
  return { data, report, positions }
}

/** First half of parseConfig: YAML and schema. Throws ConfigError when that already fails. */
export function prepareConfig(text: string, file: string, { checkFiles = true, overrides, sets = [], parsed }: ParseOptions = {}): PreparedConfig {
  const { data, report } = parsed ? { data: structuredClone(parsed.data), report: new Reporter(file, parsed.positions) } : parseYamlText(text, file)
  if (data === null || data === undefined) throw new ConfigError([...report.errorList(), issueAtStart(file, 'the file is empty; expected a mapping with at least a modules key')])
  if (typeof data !== 'object' || Array.isArray(data)) {
    report.error([], 'expected a mapping (key: value) at the top level')
    report.fail()
  }
  // Before the checks below, so that what a --set brings in is checked as if it were in the file.
  report.overridden = applySets(data as Record<string, unknown>, sets, report)
  refuseProtoKeys(data, report)
  // Checked here rather than with the modules, so that a bad name is reported with schema errors.
  const modules = (data as Record<string, unknown>).modules
  if (isPlainObject(modules)) {
    for (const name of Object.keys(modules)) {
      const problem = moduleNameProblem(name)
      if (problem) report.error(['modules', name], problem, { key: true })
    }
  }

  if (overrides) report.overridden = [...report.overridden, ...applyOverrides(data as Record<string, unknown>, overrides)]
  const raw = validate(configSchema, data, [], report)
  if (raw === undefined || report.failed) return report.fail()
  return { file, dir: dirname(resolve(file)), raw, report, checkFiles }
}

/** Second half of parseConfig: modules (with what they declare), wires, schedule. Throws ConfigError on any error. */
export function finishConfig(prepared: PreparedConfig, declarations: ModuleDeclarations = new Map()): LoadedConfig {
  const { raw, report, file } = prepared
  const modules = resolveModules(raw, prepared.dir, report, prepared.checkFiles, declarations)
  const wires = resolveWires(raw, modules, report)
  const schedule = resolveSchedule(raw, report)
  const consoleSettings = resolveConsole(raw, prepared.dir, report, prepared.checkFiles)
  const recording = resolveRecording(raw, modules, prepared.dir, report)
  // The schema bounds rate_hz to [MIN_RATE_HZ, MAX_RATE_HZ], so the period is 1 ns to 1000 s.
  const dtNs = dtNsFromRate(raw.execution.rate_hz)
  if (report.failed) report.fail()

  const endTime = raw.execution.end_time
  return {
    warnings: report.warningList(),
    config: {
      file: resolve(file),
      version: raw.version,
      modules,
      wires,
      execution: {
        mode: raw.execution.mode,
        rateHz: raw.execution.rate_hz,
        dtNs,
        endTime,
        endTimeNs: endTime === null ? null : secondsToNs(endTime),
        startPaused: raw.execution.start_paused,
        schedule,
        onModuleError: raw.execution.on_module_error
      },
      server: {
        enabled: raw.server.enabled,
        host: raw.server.host,
        port: raw.server.port,
        telemetryHz: raw.server.telemetry_hz,
        allowedOrigins: raw.server.allowed_origins,
        allowedHosts: raw.server.allowed_hosts,
        maxClients: raw.server.max_clients,
        keepaliveS: raw.server.keepalive_s,
        pingTimeoutS: raw.server.ping_timeout_s
      },
      console: consoleSettings,
      recording
    }
  }
}

/** The recording section: each signal pattern must match a published signal (a typo records nothing). */
function resolveRecording(raw: RawConfig, modules: readonly ResolvedModule[], dir: string, report: Reporter): ResolvedRecording {
  const r = raw.recording
  const published = modules.flatMap((m) => m.signals.filter((s) => s.published).map((s) => s.qualified))
  // After another error the modules may be incomplete: a pattern would seem to match nothing. '*' (the
  // default) never is an error, even for a run without published signals.
  if (!report.failed) r.signals.forEach((pattern, i) => {
    if (pattern !== '*' && expandPatterns([pattern], published).length === 0) report.error(['recording', 'signals', i], `signal pattern '${pattern}' matches no published signal`)
  })
  return {
    enabled: r.enabled,
    path: r.path === null ? null : resolve(dir, r.path),
    signals: r.signals,
    compression: r.compression,
    maxTotalBytes: Math.round(r.max_total_mb * 1024 * 1024)
  }
}

/**
 * The console layout the configuration names, path relative to the configuration: a regular JSON file of
 * at most MAX_LAYOUT_BYTES with the layout format's name. The console checks the rest of it.
 */
function resolveConsole(raw: RawConfig, dir: string, report: Reporter, checkFiles: boolean): ResolvedConsole {
  const name = raw.console.layout
  if (name === null) return { layoutFile: null, layout: null }
  const file = resolve(dir, name)
  if (!checkFiles) return { layoutFile: file, layout: null }
  const at = ['console', 'layout']
  let text: string
  try {
    const st = statSync(file)
    if (!st.isFile()) {
      report.error(at, `layout is not a regular file: ${file}`)
      return { layoutFile: file, layout: null }
    }
    if (st.size > MAX_LAYOUT_BYTES) {
      report.error(at, `layout file is ${st.size} bytes; at most ${MAX_LAYOUT_BYTES} bytes (1 MiB) are allowed: ${file}`)
      return { layoutFile: file, layout: null }
    }
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    // A configuration copied without its layout still runs: the layout is the console's first screen, not the run.
    if (code === 'ENOENT') report.warn(at, `layout file not found: ${file}; the console opens on its default layout`)
    else report.error(at, `layout file cannot be read: ${file} (${String(code)})`)
    return { layoutFile: file, layout: null }
  }
  let layout: unknown
  try {
    layout = JSON.parse(text)
  } catch (error) {
    report.error(at, `layout file is not JSON: ${file}: ${error instanceof Error ? error.message : String(error)}`)
    return { layoutFile: file, layout: null }
  }
  const format = isPlainObject(layout) ? layout.format : undefined
  if (format !== LAYOUT_FORMAT) {
    report.error(at, `layout file ${file} is not a console layout: expected "format": "${LAYOUT_FORMAT}" (export one from the console's Layout… dialog)`)
    return { layoutFile: file, layout: null }
  }
  return { layoutFile: file, layout }
}

/** Parses and validates YAML text; `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): LoadedConfig {
  return finishConfig(prepareConfig(text, file, options), options.declarations)
}

function issueAtStart(file: string, message: string): ConfigIssue {
  return { severity: 'error', file, line: 1, column: 1, path: '', message }
}

function refuseFile(file: string, message: string): never {
  throw new ConfigError([{ severity: 'error', file, line: 0, column: 0, path: '', message }])
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * Refuses, before a byte is read, what cannot be a configuration: a folder, a device (/dev/zero never
 * ends), a FIFO (opening it waits for a writer), or a file larger than MAX_CONFIG_BYTES.
 */
function checkConfigStat(file: string, st: Stats): void {
  if (st.isDirectory()) refuseFile(file, 'is a directory, expected a YAML file')
  if (!st.isFile()) refuseFile(file, `is ${fileKind(st)}, expected a regular YAML file`)
  if (st.size > MAX_CONFIG_BYTES) refuseFile(file, `is ${st.size} bytes; a configuration file may be at most ${MAX_CONFIG_BYTES} bytes (16 MiB)`)
}

function refuseErrno(file: string, e: unknown): never {
  if (e instanceof ConfigError) throw e
  const code = (e as NodeJS.ErrnoException).code
  refuseFile(file, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a YAML file' : `cannot read file (${String(code)})`)
}

/** Opened without blocking, so that a file swapped for a FIFO after the stat cannot hang the open. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/**
 * The buffer holds one byte more than the file had at its stat: filling it means that the file grew
 * while it was read (a log being written, a device behind a symlink swap), which is refused too.
 */
function decodeBounded(file: string, bytes: Buffer, length: number): string {
  if (length >= bytes.length) refuseFile(file, 'changed size while it was read; expected a file that stays the same')
  return bytes.toString('utf8', 0, length)
}

/** The text of a configuration file; throws ConfigError naming the file when it cannot or must not be read. */
export function readConfigText(file: string): string {
  try {
    checkConfigStat(file, statSync(file))
    const fd = openSync(file, OPEN_FLAGS)
    try {
      // The file that was opened may not be the one that was checked: check it again.
      checkConfigStat(file, fstatSync(fd))
      const bytes = Buffer.alloc(fstatSync(fd).size + 1)
      let length = 0
      for (;;) {
        const n = readSync(fd, bytes, length, bytes.length - length, null)
        if (n === 0) break
        length += n
        if (length === bytes.length) break
      }
      return decodeBounded(file, bytes, length)
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    refuseErrno(file, e)
  }
}

/** readConfigText without blocking the thread on the file system (the desktop app's main process). */
export async function readConfigTextAsync(file: string): Promise<string> {
  try {
    checkConfigStat(file, await stat(file))
    const handle = await open(file, OPEN_FLAGS)
    try {
      const st = await handle.stat()
      checkConfigStat(file, st)
      const bytes = Buffer.alloc(st.size + 1)
      let length = 0
      for (;;) {
        const { bytesRead } = await handle.read(bytes, length, bytes.length - length, null)
        if (bytesRead === 0) break
        length += bytesRead
        if (length === bytes.length) break
      }
      return decodeBounded(file, bytes, length)
    } finally {
      await handle.close()
    }
  } catch (e) {
    refuseErrno(file, e)
  }
}

/**
 * Reads and validates a configuration file; throws ConfigError naming the file on any problem. Script
 * and process modules get only the signals their YAML lists: loadConfigFileWithModules (withModules.ts)
 * also asks each module what it declares, which running and listing need.
 */
export function loadConfigFile(file: string, options: ParseOptions = {}): LoadedConfig {
  return parseConfig(readConfigText(file), file, options)
}
