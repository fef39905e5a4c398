// Network conditions: their shape, the built-in profiles (seed 003's names), and partial updates to them.
import { z } from 'zod'

export type Direction = 'client_to_server' | 'server_to_client'
export const DIRECTIONS: readonly Direction[] = ['client_to_server', 'server_to_client']

/** What one direction of a link does to a message's timing. */
export interface LinkConditions {
  latency_ms: number
  /** Each message's delay is latency ± a uniform share of this (seed 003's "±jitter"), never below 0. */
  jitter_ms: number
  /** Bytes per second; null is unlimited. */
  bandwidth_bytes_per_s: number | null
}

export interface NetworkConditions {
  /** false passes everything straight through (seed 003's `enabled`). */
  enabled: boolean
  client_to_server: LinkConditions
  server_to_client: LinkConditions
  /** Share of droppable messages lost: telemetry always, control messages only with drop_control. */
  packet_loss_rate: number
  drop_control: boolean
  /** Forced disconnects: a probability per message, or a mean rate per minute. */
  disconnect_rate: number
  disconnect_per: 'message' | 'minute'
  /**
   * Telemetry that arrives while a direction already has this much transmission queued (at its
   * bandwidth) is dropped, as a full router queue would; control messages always queue.
   */
  max_queue_ms: number
}

export const PROFILE_NAMES = ['perfect', 'default', 'stressed', 'mars'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

const link = (latency_ms: number, jitter_ms: number, bandwidth_bytes_per_s: number | null): LinkConditions => ({ latency_ms, jitter_ms, bandwidth_bytes_per_s })

const symmetric = (l: LinkConditions): Pick<NetworkConditions, Direction> => ({ client_to_server: { ...l }, server_to_client: { ...l } })

const MBIT = 1e6 / 8

/**
 * perfect and default are seed 003's ("no delays or errors"; its configuration block: 50 ms, ±10 ms,
 * 1 % loss, 0.1 % disconnects per message, 100 Mbit/s). stressed takes seed 003's degradation example
 * (200 ms, 10 % loss); its jitter, bandwidth and disconnects are ours, as is all of mars (seed 003 says
 * only "extreme latency"): the one-way light time at closest approach and a relay-class bandwidth.
 */
export const PROFILES: Record<ProfileName, NetworkConditions> = {
  perfect: { enabled: true, ...symmetric(link(0, 0, null)), packet_loss_rate: 0, drop_control: false, disconnect_rate: 0, disconnect_per: 'minute', max_queue_ms: 2000 },
  default: { enabled: true, ...symmetric(link(50, 10, 100 * MBIT)), packet_loss_rate: 0.01, drop_control: false, disconnect_rate: 0.001, disconnect_per: 'message', max_queue_ms: 2000 },
  stressed: { enabled: true, ...symmetric(link(200, 50, 1 * MBIT)), packet_loss_rate: 0.1, drop_control: false, disconnect_rate: 1, disconnect_per: 'minute', max_queue_ms: 2000 },
  mars: { enabled: true, ...symmetric(link(180_000, 0, 2 * MBIT)), packet_loss_rate: 0.02, drop_control: false, disconnect_rate: 0, disconnect_per: 'minute', max_queue_ms: 2000 }
}

export function profile(name: ProfileName): NetworkConditions {
  return structuredClone(PROFILES[name])
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name)
}

/**
 * The longest latency or jitter a link takes: an hour, beyond any real link (Mars at its farthest is
 * 22 light-minutes) and far below where timers overflow (2^31 ms, 24.8 days).
 */
export const MAX_DELAY_MS = 3_600_000
const ms = z.number().nonnegative('must be >= 0').refine(Number.isFinite, 'expected a finite number')
const delay = ms.max(MAX_DELAY_MS, `must be at most ${MAX_DELAY_MS} ms (one hour)`)
const bandwidth = z.number().positive('must be > 0 (null or leave it out for unlimited)').refine(Number.isFinite, 'expected a finite number').nullable()

export const linkPatchSchema = z.strictObject({
  latency_ms: delay.optional(),
  jitter_ms: delay.optional(),
  bandwidth_bytes_per_s: bandwidth.optional()
})

/**
 * A change to conditions: the YAML profile format and the body of PUT /netsim/conditions. Top-level
 * latency, jitter and bandwidth set both directions; `client_to_server` / `server_to_client` then
 * override one. Keys left out keep their value (from `extends`, or the current conditions).
 */
export const conditionsPatchSchema = z.strictObject({
  extends: z.enum(PROFILE_NAMES).optional(),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  latency_ms: delay.optional(),
  jitter_ms: delay.optional(),
  bandwidth_bytes_per_s: bandwidth.optional(),
  /** Seed 003's unit, accepted for its dictionaries; bytes per second is what the proxy uses. */
  bandwidth_mbps: bandwidth.optional(),
  client_to_server: linkPatchSchema.optional(),
  server_to_client: linkPatchSchema.optional(),
  packet_loss_rate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  drop_control: z.boolean().optional(),
  disconnect_rate: ms.optional(),
  disconnect_per: z.enum(['message', 'minute']).optional(),
  max_queue_ms: z.number().positive('must be > 0').max(MAX_DELAY_MS, `must be at most ${MAX_DELAY_MS} ms (one hour)`).optional()
})

export type ConditionsPatch = z.infer<typeof conditionsPatchSchema>

/** A problem found after merging, with the key it is about (for a line and column in a profile file). */
export interface PatchProblem {
  path: (string | number)[]
  message: string
}

export interface Applied {
  conditions: NetworkConditions
  /** The profile's display name: the patch's `name`, else its `extends`, else the previous name. */
  name: string | null
  problems: PatchProblem[]
}

/** Merges a validated patch into `base` (a profile when the patch `extends` one). */
export function applyPatch(base: NetworkConditions, patch: ConditionsPatch): Applied {
  const problems: PatchProblem[] = []
  const next = structuredClone(patch.extends ? PROFILES[patch.extends] : base)
  if (patch.bandwidth_mbps !== undefined && patch.bandwidth_bytes_per_s !== undefined) {
    problems.push({ path: ['bandwidth_mbps'], message: 'give bandwidth_bytes_per_s or bandwidth_mbps, not both' })
  }
  const both: Partial<LinkConditions> = {
    latency_ms: patch.latency_ms,
    jitter_ms: patch.jitter_ms,
    bandwidth_bytes_per_s: patch.bandwidth_mbps !== undefined ? (patch.bandwidth_mbps === null ? null : patch.bandwidth_mbps * MBIT) : patch.bandwidth_bytes_per_s
  }
  for (const d of DIRECTIONS) {
    assignDefined(next[d], both)
    const own = patch[d]
    if (own) assignDefined(next[d], own)
  }
  const { enabled, packet_loss_rate, drop_control, disconnect_rate, disconnect_per, max_queue_ms } = patch
  assignDefined(next, { enabled, packet_loss_rate, drop_control, disconnect_rate, disconnect_per, max_queue_ms })
  if (next.disconnect_per === 'message' && next.disconnect_rate > 1) {
    problems.push({ path: [patch.disconnect_rate !== undefined ? 'disconnect_rate' : 'disconnect_per'], message: `disconnect_rate ${next.disconnect_rate} per message is a probability: at most 1` })
  }
  return { conditions: next, name: patch.name ?? patch.extends ?? null, problems }
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values) as [keyof T, T[keyof T] | undefined][]) if (value !== undefined) target[key] = value
}

/** One line for logs: "50±10 ms, 1% loss, 100 Mbit/s, disconnects 0.001/message". */
export function describeConditions(c: NetworkConditions): string {
  if (!c.enabled) return 'disabled (pass-through)'
  const one = (l: LinkConditions): string =>
    `${l.latency_ms}${l.jitter_ms > 0 ? `±${l.jitter_ms}` : ''} ms, ${l.bandwidth_bytes_per_s === null ? 'unlimited' : `${formatRate(l.bandwidth_bytes_per_s)}`}`
  const up = one(c.client_to_server)
  const down = one(c.server_to_client)
  const links = up === down ? up : `up ${up}, down ${down}`
  const loss = `${+(c.packet_loss_rate * 100).toFixed(3)}% loss${c.drop_control ? ' (control too)' : ''}`
  const disconnects = c.disconnect_rate > 0 ? `disconnects ${c.disconnect_rate}/${c.disconnect_per}` : 'no disconnects'
  return `${links}, ${loss}, ${disconnects}`
}

function formatRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8
  if (bits >= 1e6) return `${+(bits / 1e6).toFixed(2)} Mbit/s`
  if (bits >= 1e3) return `${+(bits / 1e3).toFixed(2)} kbit/s`
  return `${+bits.toFixed(2)} bit/s`
}
