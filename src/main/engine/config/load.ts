// Loads a YAML configuration into a ResolvedConfig, or reports every problem with file, path, line and column.
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import type { ModuleDeclaration } from '../modules/declaration'
import type { ModelSignal } from '../modules/inproc/model'
import { findModel, MODELS } from '../modules/inproc/registry'
import { runnerFor, SCRIPT_EXTENSIONS } from '../modules/kind'
import { dtNsFromRate, secondsToNs } from '../scheduler/time'
import { ConfigError, formatPath, type ConfigIssue, type ConfigPath } from './issues'
import { SourcePositions } from './positions'
import { configSchema, type RawConfig, type RawModule } from './schema'
import { didYouMean } from './suggest'
import type { ResolvedConfig, ResolvedModule, ResolvedSignal, ResolvedWire, ScheduleEntry, SignalType } from './types'

/** How long a script or process module may take for one step (or stage, reset) before it counts as hung. */
export const DEFAULT_TIMEOUT_S = 5

export interface LoadedConfig {
  config: ResolvedConfig
  warnings: ConfigIssue[]
}

/** Collects issues with their source positions; `errors` decides whether the config is usable. */
export class Reporter {
  readonly errors: ConfigIssue[] = []
  readonly warnings: ConfigIssue[] = []
  /** Paths whose values come from overrides, not from the file: they have no line and column. */
  overridden: ConfigPath[] = []

  constructor(
    private readonly file: string,
    private readonly positions: SourcePositions | null
  ) {}

  error(path: ConfigPath, message: string, opts: { key?: boolean } = {}): void {
    this.errors.push(this.issue('error', path, message, opts))
  }

  warn(path: ConfigPath, message: string, opts: { key?: boolean } = {}): void {
    this.warnings.push(this.issue('warning', path, message, opts))
  }

  atOffset(offset: number, message: string): void {
    const pos = this.positions?.at(offset) ?? { line: 1, column: 1 }
    this.errors.push({ severity: 'error', file: this.file, line: pos.line, column: pos.column, path: '', message })
  }

  private issue(severity: ConfigIssue['severity'], path: ConfigPath, message: string, opts: { key?: boolean }): ConfigIssue {
    if (this.overridden.some((o) => o.every((part, i) => path[i] === part))) {
      return { severity, file: this.file, line: 0, column: 0, path: formatPath(path), message: `${message} (set by an override, not in the file)` }
    }
    const pos = this.positions?.of(path, opts) ?? { line: 0, column: 0 }
    return { severity, file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message }
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
function validate<S extends Schema>(schema: S, raw: unknown, base: ConfigPath, report: Reporter): z.output<S> | undefined {
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

function resolveInprocSignals(name: string, mod: RawModule, report: Reporter): ResolvedSignal[] | null {
  const base = ['modules', name]
  if (!mod.model) {
    report.error(base, `inproc modules need a 'model'; available: ${Object.keys(MODELS).join(', ')}`)
    return null
  }
  const model = findModel(mod.model)
  if (!model) {
    report.error([...base, 'model'], `unknown model '${mod.model}'${didYouMean(mod.model, Object.keys(MODELS))}; available: ${Object.keys(MODELS).join(', ')}`)
    return null
  }
  const options = validate(model.options, mod.options ?? {}, [...base, 'options'], report)
  if (options === undefined) return null
  mod.options = options as Record<string, unknown>

  // YAML-declared signals come first, in the YAML's order; the model's other signals follow in its own.
  const defaults = new Map(model.signals(options).map((def) => [def.name, def]))
  const result: ResolvedSignal[] = []
  mod.signals.forEach((yaml, index) => {
    // A duplicate has been reported by resolveModules; checking it again would call it unknown.
    if (result.some((s) => s.name === yaml.name)) return
    const def = defaults.get(yaml.name)
    if (def) {
      defaults.delete(yaml.name)
      result.push(mergeSignal(name, def, yaml))
    } else if (model.freeSignals) {
      result.push(yamlSignal(name, yaml, model.freeSignals.writable))
    } else {
      const names = model.signals(options).map((s) => s.name)
      report.error(['modules', name, 'signals', index, 'name'], `model '${mod.model}' has no signal '${yaml.name}'${didYouMean(yaml.name, names)}; it has: ${names.join(', ')}`)
    }
  })
  for (const def of defaults.values()) result.push(mergeSignal(name, def, undefined))
  return result
}

/** The YAML's flags win over the model's (or the module's own) declaration. */
function mergeSignal(module: string, def: ModelSignal & { type?: SignalType }, yaml: RawModule['signals'][number] | undefined): ResolvedSignal {
  return {
    name: def.name,
    qualified: `${module}.${def.name}`,
    type: yaml?.type ?? def.type ?? 'f64',
    unit: yaml?.unit ?? def.unit ?? '',
    writable: yaml?.writable ?? def.writable ?? false,
    published: yaml?.published ?? def.published ?? true,
    initial: yaml?.initial ?? def.initial ?? 0,
    description: yaml?.description ?? def.description ?? ''
  }
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
    description: s.description ?? ''
  }
}

const DECLARED_FIELDS = ['type', 'unit', 'writable', 'published', 'initial', 'description'] as const

/**
 * Signals of a script or process module: the YAML's first, in its order, then those the module declares
 * itself. Where both give a field the YAML wins, with a warning; a YAML signal that a declaring module
 * does not have is an error (most often a typo). A module that declares nothing has the YAML's signals.
 */
function resolveExternalSignals(name: string, mod: RawModule, declared: ModuleDeclaration | undefined, source: string, report: Reporter): ResolvedSignal[] {
  if (!declared || declared.signals.length === 0) return mod.signals.map((s) => yamlSignal(name, s, false))
  const own = new Map(declared.signals.map((s) => [s.name, s]))
  const names = declared.signals.map((s) => s.name)
  const result: ResolvedSignal[] = []
  mod.signals.forEach((yaml, index) => {
    if (result.some((s) => s.name === yaml.name)) return
    const def = own.get(yaml.name)
    if (!def) {
      report.error(['modules', name, 'signals', index, 'name'], `${source} does not declare signal '${yaml.name}'${didYouMean(yaml.name, names)}; it declares: ${names.join(', ')}`)
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
    if (name.includes('.') || name.trim() === '') {
      report.error(base, `module name '${name}' must be non-empty and contain no '.', since '.' separates module from signal`, { key: true })
      continue
    }
    const seen = new Map<string, number>()
    mod.signals.forEach((s, i) => {
      const first = seen.get(s.name)
      if (first !== undefined) report.error([...base, 'signals', i, 'name'], `duplicate signal '${s.name}' (also at signals[${first}])`)
      else seen.set(s.name, i)
    })
    const script = resolvePath(dir, mod.script)
    const executable = resolvePath(dir, mod.executable)
    let signals: ResolvedSignal[] | null
    if (mod.type === 'inproc') {
      signals = resolveInprocSignals(name, mod, report)
      if (mod.timeout_s !== undefined) report.warn([...base, 'timeout_s'], 'timeout_s applies to script and process modules only; it is ignored here', { key: true })
    } else {
      if (mod.type === 'process' && !executable) report.error(base, "'executable' required for process modules")
      if (mod.type === 'script' && !script) report.error(base, "'script' required for script modules")
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
      model: mod.model ?? null,
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
        report.error(path, `${end === 'src' ? 'source' : 'destination'} module not found: ${module}${didYouMean(module, moduleNames)}`)
        ok = false
        continue
      }
      const signal = signals.get(name)
      if (!signal) {
        const inModule = modules.find((m) => m.name === module)
        // A module whose signals could not be resolved has already been reported; do not pile on.
        if (inModule) {
          const names = inModule.signals.map((s) => s.name)
          report.error(path, `${end === 'src' ? 'source' : 'destination'} signal not found: ${name}${didYouMean(name.slice(dot + 1), names)}`)
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
  const { schedule, rate_hz: rateHz } = raw.execution
  const entries: ScheduleEntry[] = []
  const listed = new Set<string>()
  schedule.forEach((entry, i) => {
    const path = ['execution', 'schedule', i]
    if (!names.includes(entry.name)) {
      report.error(path, `schedule references unknown module: ${entry.name}${didYouMean(entry.name, names)}`)
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
}

export interface ParseOptions {
  /** Check that script and executable files exist (off for configs built in memory by tests). */
  checkFiles?: boolean
  overrides?: ConfigOverrides
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

/** A configuration whose YAML parsed and matched the schema; modules, wires and schedule are not resolved yet. */
export interface PreparedConfig {
  file: string
  /** Folder that relative paths resolve against. */
  dir: string
  raw: RawConfig
  report: Reporter
  checkFiles: boolean
}

/** First half of parseConfig: YAML and schema. Throws ConfigError when that already fails. */
export function prepareConfig(text: string, file: string, { checkFiles = true, overrides }: ParseOptions = {}): PreparedConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const report = new Reporter(file, new SourcePositions(doc, lineCounter))
  for (const error of doc.errors) report.atOffset(error.pos[0], `invalid YAML: ${error.message.split('\n')[0]}`)
  if (report.errors.length > 0) throw new ConfigError(report.errors, report.warnings)

  const data: unknown = doc.toJS()
  if (data === null || data === undefined) throw new ConfigError([...report.errors, issueAtStart(file, 'the file is empty; expected a mapping with at least a modules key')])
  if (typeof data !== 'object' || Array.isArray(data)) {
    report.error([], 'expected a mapping (key: value) at the top level')
    throw new ConfigError(report.errors, report.warnings)
  }

  if (overrides) report.overridden = applyOverrides(data as Record<string, unknown>, overrides)
  const raw = validate(configSchema, data, [], report)
  if (!raw) throw new ConfigError(report.errors, report.warnings)
  return { file, dir: dirname(resolve(file)), raw, report, checkFiles }
}

/** Second half of parseConfig: modules (with what they declare), wires, schedule. Throws ConfigError on any error. */
export function finishConfig(prepared: PreparedConfig, declarations: ModuleDeclarations = new Map()): LoadedConfig {
  const { raw, report, file } = prepared
  const modules = resolveModules(raw, prepared.dir, report, prepared.checkFiles, declarations)
  const wires = resolveWires(raw, modules, report)
  const schedule = resolveSchedule(raw, report)
  const dtNs = dtNsFromRate(raw.execution.rate_hz)
  if (dtNs < 1) report.error(['execution', 'rate_hz'], `rate_hz ${raw.execution.rate_hz} is too high: the frame period rounds to 0 ns`)
  if (report.errors.length > 0) throw new ConfigError(report.errors, report.warnings)

  const endTime = raw.execution.end_time
  return {
    warnings: report.warnings,
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
        maxClients: raw.server.max_clients
      }
    }
  }
}

/** Parses and validates YAML text; `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): LoadedConfig {
  return finishConfig(prepareConfig(text, file, options), options.declarations)
}

function issueAtStart(file: string, message: string): ConfigIssue {
  return { severity: 'error', file, line: 1, column: 1, path: '', message }
}

/** The text of a configuration file; throws ConfigError naming the file when it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a YAML file' : `cannot read file (${String(code)})`
    throw new ConfigError([{ severity: 'error', file, line: 0, column: 0, path: '', message: why }])
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
