// An XY panel's options as saved in the layout: its traces (an X and a Y signal each), its time window
// and equal aspect. Checked with zod when the panel reads them; a bad value is named and the default used.
import { z } from 'zod'
import { MAX_WINDOW_S } from '../../store/store'
import type { SignalInfo } from '../../tree/buildTree'

/** More traces than this is not a readable XY plot; the limit also bounds what a layout file can ask for. */
export const MAX_TRACES = 16

const traceSchema = z.strictObject({ x: z.string().min(1).max(1000), y: z.string().min(1).max(1000) })

const optionsSchema = z.object({
  traces: z.array(traceSchema).max(MAX_TRACES).default([]),
  /** 'shared': the time plots' view (live window or frozen range); a number: its own trailing window in seconds. */
  window: z.union([z.literal('shared'), z.number().min(0.1).max(MAX_WINDOW_S)]).default('shared'),
  equalAspect: z.boolean().default(false)
})

export type XyTrace = z.infer<typeof traceSchema>
export type XyOptions = z.infer<typeof optionsSchema>

export const DEFAULT_XY_OPTIONS: XyOptions = { traces: [], window: 'shared', equalAspect: false }

export interface ReadOptions {
  options: XyOptions
  /** What was wrong with the saved options (`options.window: ...`), each replaced by its default. */
  errors: string[]
}

/** Reads a panel's options: each key that fails its check falls back to its default, and is reported. */
export function readXyOptions(raw: unknown): ReadOptions {
  const input = raw === undefined || raw === null ? {} : raw
  const parsed = optionsSchema.safeParse(input)
  if (parsed.success) return { options: parsed.data, errors: [] }
  const errors = parsed.error.issues.map((i) => `options${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`)
  if (typeof input !== 'object' || Array.isArray(input)) return { options: DEFAULT_XY_OPTIONS, errors }
  // Keep each key that is valid on its own.
  const bad = new Set(parsed.error.issues.map((i) => i.path[0]))
  const partial = Object.fromEntries(Object.entries(input as Record<string, unknown>).filter(([k]) => !bad.has(k)))
  const fallback = optionsSchema.safeParse(partial)
  return { options: fallback.success ? fallback.data : DEFAULT_XY_OPTIONS, errors }
}

/** The signals the traces read, in order, each once: the panel's `signals`, so they are subscribed. */
export function traceSignals(traces: readonly XyTrace[]): string[] {
  return [...new Set(traces.flatMap((t) => [t.x, t.y]))]
}

/**
 * A next trace to offer: a `*.x`/`*.y` pair not yet drawn (a position first: what an XY plot is most
 * often for), else the last X against the next signal.
 */
export function suggestTrace(traces: readonly XyTrace[], signals: readonly SignalInfo[]): XyTrace | null {
  const names = signals.map((s) => s.name)
  const known = new Set(names)
  const taken = new Set(traces.map((t) => `${t.x}\n${t.y}`))
  const pairs = names.filter((n) => n.endsWith('.x') && known.has(`${n.slice(0, -2)}.y`) && !taken.has(`${n}\n${n.slice(0, -2)}.y`))
  const pair = pairs.find((n) => /pos/i.test(n)) ?? pairs[0]
  if (pair !== undefined) return { x: pair, y: `${pair.slice(0, -2)}.y` }
  const last = traces[traces.length - 1]
  const x = last?.x ?? names[0]
  if (x === undefined) return null
  const y = names.find((n) => n !== x && !taken.has(`${x}\n${n}`))
  return y === undefined ? null : { x, y }
}
