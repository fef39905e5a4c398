// What a signal's limits are and where a value stands against them: ok, warn or alarm, bounds inclusive.
import { z } from 'zod'
import type { SignalLimits } from '../../../shared/protocol/messages'

export type { LimitRange, SignalLimits } from '../../../shared/protocol/messages'

/** 0 within limits, 1 outside warn, 2 outside alarm (the alarm wins when both apply). */
export type Level = 0 | 1 | 2

export const LEVEL_NAMES: Record<Level, string> = { 0: 'ok', 1: 'warn', 2: 'alarm' }

/** The CSS class a coloured value takes: amber for warn, red for alarm (styles.css). */
export function levelClass(level: Level): string {
  return level === 2 ? 'limit-alarm' : level === 1 ? 'limit-warn' : ''
}

const bound = z.number().refine(Number.isFinite, 'expected a finite number').nullable()
const range = z.tuple([bound, bound]).refine(([lo, hi]) => lo === null || hi === null || lo <= hi, 'expected [lo, hi] with lo <= hi')

/** Limits as a layout file holds them (the console's own, per signal). */
export const limitsSchema = z.strictObject({ warn: range.optional(), alarm: range.optional() })

/** Where `value` stands; NaN (no sample) is within limits. */
export function levelOf(value: number, limits: SignalLimits | undefined): Level {
  if (!limits || Number.isNaN(value)) return 0
  if (outside(value, limits.alarm)) return 2
  if (outside(value, limits.warn)) return 1
  return 0
}

function outside(value: number, r: SignalLimits['warn']): boolean {
  if (!r) return false
  return (r[0] !== null && value < r[0]) || (r[1] !== null && value > r[1])
}

/** Whether limits bound anything at all (an empty object or [null, null] ranges do not). */
export function hasBounds(limits: SignalLimits | undefined): limits is SignalLimits {
  if (!limits) return false
  return [limits.warn, limits.alarm].some((r) => r !== undefined && (r[0] !== null || r[1] !== null))
}

/** The limits in force: the console's own for the signal when it has set some, else the configuration's. */
export function effectiveLimits(console: Readonly<Record<string, SignalLimits>>, fromSchema: SignalLimits | undefined, signal: string): SignalLimits | undefined {
  const own = Object.hasOwn(console, signal) ? console[signal] : undefined
  const l = own ?? fromSchema
  return hasBounds(l) ? l : undefined
}

/** `[-3, 3]`, `≤ 2`, `≥ 0`: a range as people write it. */
export function describeRange(r: SignalLimits['warn']): string {
  if (!r || (r[0] === null && r[1] === null)) return '—'
  if (r[0] === null) return `≤ ${r[1]}`
  if (r[1] === null) return `≥ ${r[0]}`
  return `[${r[0]}, ${r[1]}]`
}
