// A sweep file: the base configuration, the run settings, the parameters to vary and the metrics to keep,
// validated like a configuration (every error with file, YAML path, line and column). docs/sweeps.md.
import { createHash } from 'node:crypto'
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError, type ConfigIssue } from '../engine/config/issues'
import { MAX_END_TIME_S, MAX_RATE_HZ } from '../engine/config/limits'
import { parseYamlText, readConfigText, validate } from '../engine/config/load'
import { applySet, parseSetPath, SetError, type ConfigSet } from '../engine/config/override'
import { MetricError, parseMetric, type MetricSpec } from './metrics'

/** More runs than this is a typo (a grid of 1000 by 1000 by 1000), not a study for one machine or cluster. */
export const MAX_RUNS = 10_000_000

const finite = () => z.number().refine(Number.isFinite, 'expected a finite number')
const scalar = z.union([z.number(), z.string(), z.boolean()])

const parameterSchema = z.strictObject({
  grid: z
    .union([
      z.array(scalar).min(1, 'a grid needs at least one value'),
      z.strictObject({ from: finite(), to: finite(), steps: z.number().int('steps must be an integer').min(2, 'steps must be at least 2').max(1_000_000) })
    ])
    .optional(),
  list: z.array(scalar).min(1, 'a list needs at least one value').optional(),
  uniform: z.strictObject({ min: finite(), max: finite() }).optional(),
  normal: z.strictObject({ mean: finite(), std: finite().refine((s) => s >= 0, 'std must not be negative') }).optional()
})

export const sweepSchema = z.strictObject({
  /** The base configuration, relative to the sweep file. */
  config: z.string().min(1, 'config must name the base configuration file'),
  run: z
    .strictObject({
      mode: z.enum(['afap', 'realtime']).default('afap'),
      end_time: z
        .number()
        .positive('end_time must be positive')
        .refine((s) => s <= MAX_END_TIME_S, `end_time may be at most ${MAX_END_TIME_S} s`)
        .optional(),
      rate_hz: z
        .number()
        .positive('rate_hz must be positive')
        .refine((hz) => hz <= MAX_RATE_HZ, `rate_hz may be at most ${MAX_RATE_HZ}`)
        .optional(),
      /** Wall-clock seconds one run may take before it is killed and recorded as failed. */
      timeout_s: z.number().positive('timeout_s must be positive').optional()
    })
    .default({ mode: 'afap' }),
  seed: z.number().int('seed must be an integer').min(0, 'seed must be 0 or more').max(2 ** 32 - 1, 'seed must be below 2^32').default(0),
  /** Runs per point of the grid (and of the lists): the random draws. */
  samples: z.number().int('samples must be an integer').min(1, 'samples must be at least 1').default(1),
  parameters: z.record(z.string(), parameterSchema).default({}),
  metrics: z.record(z.string(), z.string()).default({}),
  /** What each run keeps: its metrics only, or a recording too (runs/<index>.mcap in the results folder). */
  keep: z.enum(['metrics', 'recording']).default('metrics'),
  /** Where the results folder goes, relative to the sweep file (default: next to it, `<name>.results`). */
  results: z.string().min(1).optional()
})

export type ParameterSpec =
  | { kind: 'grid'; values: (number | string | boolean)[] }
  | { kind: 'list'; values: (number | string | boolean)[] }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; std: number }

export interface SweepParameter {
  /** As written in the sweep file: the column's name. */
  name: string
  path: readonly (string | number)[]
  spec: ParameterSpec
}

export interface Sweep {
  file: string
  /** sha256 of the sweep file and its base configuration: a results folder belongs to one sweep. */
  fingerprint: string
  configFile: string
  configText: string
  mode: 'afap' | 'realtime'
  /** From the sweep's run, or null to keep the base configuration's (which must then have one). */
  endTime: number | null
  rateHz: number | null
  timeoutS: number | null
  /** 'recording': every run also writes its recording into the results folder (a `recording` column). */
  keep: 'metrics' | 'recording'
  seed: number
  samples: number
  parameters: SweepParameter[]
  metrics: MetricSpec[]
  resultsDir: string
  /** How many runs: the points of the grids and lists, times samples. */
  runs: number
  /** What the file has that is ignored or odd (unknown keys, samples without random parameters). */
  warnings: ConfigIssue[]
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/
const RESERVED_COLUMNS = new Set(['index', 'status', 'error', 'wall_s', 'recording'])

/** Reads and checks a sweep file and its base configuration's YAML; throws ConfigError with every problem. */
export function loadSweepFile(file: string): Sweep {
  return parseSweep(readConfigText(file), file)
}

export function parseSweep(text: string, file: string): Sweep {
  const { data, report } = parseYamlText(text, file)
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    report.error([], 'expected a mapping with at least config, parameters and metrics')
    report.fail()
  }
  const raw = validate(sweepSchema, data, [], report)
  if (raw === undefined || report.failed) return report.fail()

  const dir = dirname(resolve(file))
  const configFile = isAbsolute(raw.config) ? raw.config : resolve(dir, raw.config)
  let configText = ''
  let baseData: unknown = null
  try {
    configText = readConfigText(configFile)
    baseData = parseYamlText(configText, configFile).data
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    // The base configuration's own errors, then where the sweep names it.
    report.error(['config'], `the base configuration ${configFile} cannot be used (see above)`)
    throw new ConfigError([...error.issues, ...report.errorList()])
  }

  const parameters: SweepParameter[] = []
  for (const [name, p] of Object.entries(raw.parameters)) {
    const where = ['parameters', name]
    const given = (['grid', 'list', 'uniform', 'normal'] as const).filter((k) => p[k] !== undefined)
    if (given.length !== 1) {
      report.error(where, given.length === 0 ? 'give one of grid, list, uniform or normal' : `give only one of grid, list, uniform or normal, not ${given.join(' and ')}`)
      continue
    }
    let path: readonly (string | number)[]
    try {
      path = parseSetPath(name)
    } catch (error) {
      report.error(where, error instanceof Error ? error.message : String(error), { key: true })
      continue
    }
    // The path must lead somewhere in the base configuration (its last key may be one the file leaves out).
    if (baseData !== null && typeof baseData === 'object' && !Array.isArray(baseData)) {
      try {
        applySet(structuredClone(baseData) as Record<string, unknown>, { path, value: 0, text: name })
      } catch (error) {
        if (!(error instanceof SetError)) throw error
        report.error(where, `not in the base configuration ${basename(configFile)}: ${error.message}`, { key: true })
        continue
      }
    }
    if (RESERVED_COLUMNS.has(name)) {
      report.error(where, `'${name}' is a column of the results table; name the parameter by its path`, { key: true })
      continue
    }
    const spec = parameterSpec(p)
    if (spec.kind === 'uniform' && spec.max < spec.min) {
      report.error([...where, 'uniform', 'max'], `max (${spec.max}) must not be below min (${spec.min})`)
      continue
    }
    parameters.push({ name, path, spec })
  }

  const metrics: MetricSpec[] = []
  for (const [name, text] of Object.entries(raw.metrics)) {
    if (!NAME.test(name)) {
      report.error(['metrics', name], `a metric's name is letters, digits, '_' and '.', starting with a letter or '_'; got '${name}'`, { key: true })
      continue
    }
    if (RESERVED_COLUMNS.has(name) || raw.parameters[name] !== undefined) {
      report.error(['metrics', name], `'${name}' is already a column of the results table (${RESERVED_COLUMNS.has(name) ? 'reserved' : 'a parameter'}); name the metric apart`, { key: true })
      continue
    }
    try {
      metrics.push(parseMetric(name, text))
    } catch (error) {
      if (!(error instanceof MetricError)) throw error
      report.error(['metrics', name], error.message)
    }
  }
  if (metrics.length === 0 && !report.failed) report.error(['metrics'], 'name at least one metric to keep per run (name: max_abs(module.signal))')

  const points = parameters.reduce((n, p) => (p.spec.kind === 'grid' ? n * p.spec.values.length : n), 1)
  const lists = parameters.filter((p): p is SweepParameter & { spec: { kind: 'list' } } => p.spec.kind === 'list')
  const listLength = lists[0]?.spec.values.length ?? 1
  for (const l of lists) {
    if (l.spec.values.length !== listLength) report.error(['parameters', l.name, 'list'], `lists vary together, so they must be as long: this one has ${l.spec.values.length} values, ${lists[0]!.name} has ${listLength}`)
  }
  const runs = points * listLength * raw.samples
  if (runs > MAX_RUNS) report.error(['samples'], `the sweep would make ${runs} runs; at most ${MAX_RUNS} are allowed`)
  const random = parameters.some((p) => p.spec.kind === 'uniform' || p.spec.kind === 'normal')
  if (raw.samples > 1 && !random) report.warn(['samples'], `samples is ${raw.samples} but no parameter is drawn at random: each point runs ${raw.samples} times with the same values`)
  if (report.failed) report.fail()

  const resultsDir = raw.results ? resolve(dir, raw.results) : join(dir, `${basename(file, extname(file))}.results`)
  const fingerprint = createHash('sha256').update(text).update('\0').update(configText).digest('hex')
  return {
    file: resolve(file),
    fingerprint,
    configFile,
    configText,
    mode: raw.run.mode,
    endTime: raw.run.end_time ?? null,
    rateHz: raw.run.rate_hz ?? null,
    timeoutS: raw.run.timeout_s ?? null,
    keep: raw.keep,
    seed: raw.seed,
    samples: raw.samples,
    parameters,
    metrics,
    resultsDir,
    runs,
    warnings: report.warningList()
  }
}

function parameterSpec(p: z.output<typeof parameterSchema>): ParameterSpec {
  if (p.list) return { kind: 'list', values: p.list }
  if (p.uniform) return { kind: 'uniform', ...p.uniform }
  if (p.normal) return { kind: 'normal', ...p.normal }
  const grid = p.grid!
  if (Array.isArray(grid)) return { kind: 'grid', values: grid }
  const { from, to, steps } = grid
  // Both ends exact; the points between them evenly spaced.
  return { kind: 'grid', values: Array.from({ length: steps }, (_, i) => (i === steps - 1 ? to : from + ((to - from) * i) / (steps - 1))) }
}

export type { ConfigSet }
