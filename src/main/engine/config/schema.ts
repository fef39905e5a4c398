// The shape of a configuration file (Hermes 0.2 plus our additive keys), as zod schemas.
import { z } from 'zod'
import { MAX_END_TIME_S, MAX_NAME_CHARS, MAX_RATE_HZ, MIN_RATE_HZ } from './limits'
import { SIGNAL_TYPES } from './types'

const finite = () => z.number().refine(Number.isFinite, 'expected a finite number')

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

const signalName = () =>
  z
    .string()
    .min(1, 'expected a non-empty signal name')
    .max(MAX_NAME_CHARS, `a signal name may be at most ${MAX_NAME_CHARS} characters long`)
    .refine((name) => name === '' || name.trim() !== '', 'expected a signal name that is not blank')
    .refine((name) => !CONTROL_CHARACTER.test(name), 'a signal name must not contain control characters')

/** A frame or module rate the scheduler can honour: a period of 1 ns at most, finite. */
const rate = () =>
  z
    .number()
    .positive('rate_hz must be positive')
    .refine(Number.isFinite, 'expected a finite number')
    .refine((hz) => hz <= MAX_RATE_HZ, `rate_hz is too high: at most ${MAX_RATE_HZ} Hz, since time is integer nanoseconds (a period of 1 ns)`)

/** `[lo, hi]`: either bound may be null (open); both inclusive, so lo may equal hi. */
const limitRange = () =>
  z
    .tuple([finite().nullable(), finite().nullable()], { error: 'expected [lo, hi]: two numbers, either may be null' })
    .refine(([lo, hi]) => lo === null || hi === null || lo <= hi, 'expected [lo, hi] with lo <= hi')

const limitsSchema = z.strictObject({
  warn: limitRange().optional(),
  alarm: limitRange().optional()
})

export const signalSchema = z.strictObject({
  name: signalName(),
  // No default here: a module's declaration may give the type when the YAML does not (defaults apply after merging).
  type: z.enum(SIGNAL_TYPES).optional(),
  unit: z.string().optional(),
  writable: z.boolean().optional(),
  published: z.boolean().optional(),
  initial: finite().optional(),
  description: z.string().optional(),
  limits: limitsSchema.optional()
})

const path = z.string().min(1).nullable().optional()

export const moduleSchema = z.strictObject({
  type: z.enum(['inproc', 'script', 'process']),
  model: z.string().min(1).optional(),
  // Hermes's name for the same thing: the Python import path of a built-in module (hermes.modules.injection).
  inproc_module: z.string().min(1).optional(),
  script: path,
  executable: path,
  config: path,
  // Process modules: how to build the executable when it is missing or older than its sources (withModules.ts).
  build: z
    .strictObject({
      command: z.array(z.string().min(1)).min(1, 'expected a command: a program and its arguments'),
      sources: z.array(z.string().min(1)).default([])
    })
    .optional(),
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
    rate_hz: rate().optional()
  })
)

export const executionSchema = z.strictObject({
  mode: z.enum(['afap', 'realtime', 'single_frame']).default('afap'),
  rate_hz: rate()
    .refine((hz) => hz <= 0 || hz >= MIN_RATE_HZ, `rate_hz is too low: at least ${MIN_RATE_HZ} Hz (a frame of ${1 / MIN_RATE_HZ} s), so that time does not run out of exact nanoseconds within a few frames`)
    .default(100),
  end_time: z
    .number()
    .nonnegative('end_time must not be negative')
    .refine(Number.isFinite, 'expected a finite number')
    .refine((s) => s <= MAX_END_TIME_S, `end_time may be at most ${MAX_END_TIME_S} s (about 104 days), where integer-nanosecond time stops being exact`)
    .nullable()
    .default(null),
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
  max_clients: z.number().int('max_clients must be an integer').min(1, 'max_clients must be at least 1').max(100_000, 'max_clients must be at most 100000').default(64),
  keepalive_s: z.number().min(0, 'keepalive_s must be 0 (off) or positive').max(3600, 'keepalive_s must be at most 3600').default(10),
  ping_timeout_s: z.number().positive('ping_timeout_s must be positive').max(3600, 'ping_timeout_s must be at most 3600').default(30)
})

/** What the console does with this configuration: the layout it opens on (a hermes-console.layout file). */
export const consoleSchema = z.strictObject({
  layout: z.string().min(1, 'layout must name a file').nullable().default(null)
})

/** Recording of every frame (docs/recording.md); enabled null: record when served (hermes run --serve, the app). */
export const recordingSchema = z.strictObject({
  enabled: z.boolean().nullable().default(null),
  path: z.string().min(1, 'path must name a .mcap file or a folder').nullable().default(null),
  signals: z.array(z.string().min(1, 'a signal pattern must not be empty')).min(1, 'signals must list at least one pattern').default(['*']),
  compression: z.enum(['lz4', 'zstd', 'none']).default('lz4'),
  max_total_mb: z.number().positive('max_total_mb must be positive').refine(Number.isFinite, 'expected a finite number').default(2048)
})

export const configSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).transform(String).default('0.2'),
  modules: z.record(z.string(), moduleSchema),
  wiring: z.array(wireSchema).nullable().default([]),
  execution: executionSchema.default(() => executionSchema.parse({})),
  server: serverSchema.default(() => serverSchema.parse({})),
  console: consoleSchema.default(() => consoleSchema.parse({})),
  recording: recordingSchema.default(() => recordingSchema.parse({}))
})

export type RawConfig = z.output<typeof configSchema>
export type RawModule = z.output<typeof moduleSchema>
