// The shape of a configuration file (Hermes 0.2 plus our additive keys), as zod schemas.
import { z } from 'zod'
import { SIGNAL_TYPES } from './types'

const finite = () => z.number().refine(Number.isFinite, 'expected a finite number')

export const signalSchema = z.strictObject({
  name: z.string().min(1, 'expected a non-empty signal name'),
  // No default here: a module's declaration may give the type when the YAML does not (defaults apply after merging).
  type: z.enum(SIGNAL_TYPES).optional(),
  unit: z.string().optional(),
  writable: z.boolean().optional(),
  published: z.boolean().optional(),
  initial: finite().optional(),
  description: z.string().optional()
})

const path = z.string().min(1).nullable().optional()

export const moduleSchema = z.strictObject({
  type: z.enum(['inproc', 'script', 'process']),
  model: z.string().min(1).optional(),
  script: path,
  executable: path,
  config: path,
  signals: z.array(signalSchema).default([]),
  options: z.record(z.string(), z.unknown()).nullable().default({}),
  // Script and process modules: how long one exchange (step, stage, reset) may take before the module is declared hung.
  timeout_s: z.number().positive('timeout_s must be positive').refine(Number.isFinite, 'expected a finite number').optional()
})

export const wireSchema = z.strictObject({
  src: z.string().min(1),
  dst: z.string().min(1),
  gain: finite().default(1),
  offset: finite().default(0)
})

const scheduleEntrySchema = z.preprocess(
  (entry) => (typeof entry === 'string' ? { name: entry } : entry),
  z.strictObject({
    name: z.string().min(1),
    rate_hz: z.number().positive('rate_hz must be positive').optional()
  })
)

export const executionSchema = z.strictObject({
  mode: z.enum(['afap', 'realtime', 'single_frame']).default('afap'),
  rate_hz: z.number().positive('rate_hz must be positive').refine(Number.isFinite, 'expected a finite number').default(100),
  end_time: z.number().nonnegative('end_time must not be negative').refine(Number.isFinite, 'expected a finite number').nullable().default(null),
  start_paused: z.boolean().default(false),
  schedule: z.array(scheduleEntrySchema).default([]),
  /** What a module fault does; unset means pause when a server is up, stop when not (docs/modules.md). */
  on_module_error: z.enum(['pause', 'stop', 'restart']).nullable().default(null)
})

export const serverSchema = z.strictObject({
  enabled: z.boolean().default(false),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int('port must be an integer').min(0, 'port must be between 0 and 65535').max(65535, 'port must be between 0 and 65535').default(8765),
  telemetry_hz: z.number().positive('telemetry_hz must be positive').max(1000, 'telemetry_hz must be at most 1000').default(60),
  allowed_origins: z.array(z.string()).default([]),
  allowed_hosts: z.array(z.string()).default([]),
  max_clients: z.number().int('max_clients must be an integer').min(1, 'max_clients must be at least 1').max(100_000, 'max_clients must be at most 100000').default(64)
})

export const configSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).transform(String).default('0.2'),
  modules: z.record(z.string(), moduleSchema),
  wiring: z.array(wireSchema).nullable().default([]),
  execution: executionSchema.default(() => executionSchema.parse({})),
  server: serverSchema.default(() => serverSchema.parse({}))
})

export type RawConfig = z.output<typeof configSchema>
export type RawModule = z.output<typeof moduleSchema>
