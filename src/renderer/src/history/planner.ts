// Which `history` requests fill what the console lacks: the signals that lack the same interval go in
// one request, split so no request asks for more values than a reply may hold (docs/protocol.md).
import type { Interval } from './intervals'
import { normalize } from './intervals'

/** The server's bounds on one request (src/main/engine/recording/history.ts). */
export const MAX_POINTS = 10_000
export const MAX_VALUES = 400_000

export interface Need {
  signal: string
  /** What it lacks, sorted and disjoint. */
  holes: readonly Interval[]
}

export interface PlannedRequest {
  signals: string[]
  from: number
  to: number
  maxPoints: number
}

export interface PlanOptions {
  /** Points per second asked for: the density of what is held (the telemetry rate), when filling it. */
  pointsPerSecond?: number
  /** Or a fixed number of points per signal (a zoomed view: about twice the plot's width in pixels). */
  maxPoints?: number
  /** Holes of one signal closer than this are asked for as one interval (fewer requests). */
  joinGapS?: number
}

export function clampPoints(points: number): number {
  return Math.min(MAX_POINTS, Math.max(2, Math.ceil(points)))
}

/** The requests for `needs`, newest interval first (what the live window shows fills first). */
export function planRequests(needs: readonly Need[], options: PlanOptions): PlannedRequest[] {
  const groups = new Map<string, { from: number; to: number; signals: string[] }>()
  for (const need of needs) {
    for (const [from, to] of normalize(need.holes, options.joinGapS ?? 0)) {
      const key = `${from}:${to}`
      let group = groups.get(key)
      if (!group) groups.set(key, (group = { from, to, signals: [] }))
      if (!group.signals.includes(need.signal)) group.signals.push(need.signal)
    }
  }
  const out: PlannedRequest[] = []
  for (const g of [...groups.values()].sort((a, b) => b.to - a.to || b.from - a.from)) {
    const maxPoints = clampPoints(options.maxPoints ?? (g.to - g.from) * (options.pointsPerSecond ?? 60) * 1.2)
    const perRequest = Math.max(1, Math.floor(MAX_VALUES / maxPoints))
    for (let i = 0; i < g.signals.length; i += perRequest) out.push({ signals: g.signals.slice(i, i + perRequest), from: g.from, to: g.to, maxPoints })
  }
  return out
}
