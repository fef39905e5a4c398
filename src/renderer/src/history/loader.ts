// Fills the console's held telemetry from the server's `history`: on connect, on every reconnect, when a
// signal is plotted and when the window grows, whatever the plotted signals (and the inputs of plotted
// derived signals) lack over the window is asked for, in the background, and merged in as it comes.
import type { HistoryParams } from '../../../shared/client/hermesClient'
import type { HistoryMessage } from '../../../shared/protocol/messages'
import { pipeline } from '../frames/pipeline'
import { MAX_WINDOW_S, useConsole, type ConsoleState } from '../store/store'
import { telemetry } from '../telemetry/telemetry'
import { findHoles, holeSpan } from './holes'
import { add, subtract, type Interval } from './intervals'
import { mergeRows, rowsOf } from './merge'
import { planRequests, type Need, type PlannedRequest } from './planner'

/** What the loader needs of a connection (HermesClient has it). */
export interface HistoryLink {
  readonly isOpen: boolean
  readonly actions: readonly string[]
  history(params: HistoryParams): Promise<HistoryMessage>
}

/** Looks again this often while connected: a hole the last reply left (the recorder a frame behind) is asked for. */
const RECHECK_MS = 2000
/** How far behind the live frames the recorder may be: a reply short of a range newer than this is asked again. */
const RECORDER_LAG_S = 10
/** Requests wait this long after a change, so a burst of changes (a layout applied) makes one plan. */
const SETTLE_MS = 150

/** The signals of the panels that draw over time (time plots and XY traces), as the run's signals. */
export function plottedSources(state: Pick<ConsoleState, 'panels'>, kinds: readonly string[] = ['plot', 'xy']): string[] {
  const out = new Set<string>()
  for (const p of state.panels) if (kinds.includes(p.kind)) for (const n of p.signals) for (const s of pipeline.sourcesOf(n)) out.add(s)
  return [...out]
}

class HistoryLoader {
  private link: HistoryLink | null = null
  /** Why this run has no history (not recorded, or a server without it), once known: then it is not asked again. */
  private unavailable: string | null = null
  /** Signals the recording does not hold (recording.signals names a subset). */
  private readonly unrecorded = new Set<string>()
  /** Per signal, what has been asked for in this epoch: never asked twice. */
  private asked = new Map<string, Interval[]>()
  private epoch = -1
  private runId: string | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private recheck: ReturnType<typeof setInterval> | null = null
  private running = false
  private again = false
  /** Counters for diagnostics and tests: `lost`, requests the link took down with it (asked again after the reconnect); `errors`, every other failure. */
  readonly stats = { requests: 0, replies: 0, inserted: 0, filled: 0, lost: 0, errors: 0 }

  constructor() {
    useConsole.subscribe((s, prev) => {
      if (s.panels !== prev.panels || s.view.windowS !== prev.view.windowS || s.derived !== prev.derived) this.schedule()
    })
  }

  /** A connection is up (first or again): what the window lacks is asked for. */
  attach(link: HistoryLink): void {
    this.link = link
    if (this.recheck) clearInterval(this.recheck)
    this.recheck = setInterval(() => this.schedule(0), RECHECK_MS)
    this.schedule()
  }

  detach(): void {
    this.link = null
    if (this.recheck) clearInterval(this.recheck)
    this.recheck = null
  }

  /** The server serves history for this run, as far as the console knows. */
  get serves(): boolean {
    return this.link !== null && this.link.isOpen && this.link.actions.includes('history') && this.unavailable === null
  }

  get connectedLink(): HistoryLink | null {
    return this.link?.isOpen ? this.link : null
  }

  /** Whether a signal may be asked for (the recording holds it, as far as known). */
  mayAsk(signal: string): boolean {
    return !this.unrecorded.has(signal)
  }

  schedule(delayMs = SETTLE_MS): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.run()
    }, delayMs)
  }

  /** Another run or a reset: what was asked and learned belongs to the run before. */
  private sync(): void {
    const runId = useConsole.getState().runId
    if (runId !== this.runId) {
      this.runId = runId
      this.unavailable = null
      this.unrecorded.clear()
      this.asked = new Map()
    }
    if (telemetry.epoch !== this.epoch) {
      this.epoch = telemetry.epoch
      this.asked = new Map()
    }
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    try {
      do {
        this.again = false
        this.sync()
        if (!this.serves) return
        for (const request of this.plan()) {
          if (!this.serves) return
          await this.fetch(request)
        }
      } while (this.again)
    } finally {
      this.running = false
    }
  }

  /** What the plotted signals lack over the window and what the console holds, minus what was asked. */
  private plan(): PlannedRequest[] {
    const s = useConsole.getState()
    const h = telemetry.history
    const now = Number.isFinite(telemetry.liveTime) ? telemetry.liveTime : s.run.time
    if (!(now > 0)) return []
    const held = h.length > 0 ? h.firstTime : now
    const from = Math.max(0, now - MAX_WINDOW_S, Math.min(now - s.view.windowS, held))
    const holeS = holeSpan(s.quality.telemetryHz)
    const subscribed = new Set(pipeline.subscribedSignals)
    const needs: Need[] = []
    for (const signal of plottedSources(s)) {
      if (!subscribed.has(signal) || this.unrecorded.has(signal)) continue
      const holes = subtract(findHoles(h, h.indexOf(signal), from, now, holeS), this.asked.get(signal) ?? [], holeS)
      if (holes.length > 0) needs.push({ signal, holes })
    }
    // Every frame when the run is at most twice the telemetry rate (a min/max envelope draws jagged), else
    // an envelope at twice the held density: a fill never takes much more of the ring than live data would.
    const density = Math.min(s.run.rateHz ?? s.quality.telemetryHz, 2 * s.quality.telemetryHz)
    return planRequests(needs, { pointsPerSecond: Math.max(s.quality.telemetryHz, density), joinGapS: 1 })
  }

  private async fetch(request: PlannedRequest): Promise<void> {
    const link = this.link
    if (!link) return
    const epoch = this.epoch
    for (const n of request.signals) this.asked.set(n, add(this.asked.get(n) ?? [], [request.from, request.to]))
    this.stats.requests++
    let reply: HistoryMessage
    try {
      reply = await link.history({ signals: request.signals, from: request.from, to: request.to, maxPoints: request.maxPoints })
    } catch (error) {
      this.onError(request, error instanceof Error ? error.message : String(error))
      return
    }
    this.stats.replies++
    if (epoch !== telemetry.epoch || epoch !== this.epoch) return
    for (const n of request.signals) if (!reply.signals.includes(n)) this.unrecorded.add(n)
    const rows = rowsOf(reply)
    // The recorder may be behind the live frames (seconds, on a loaded machine): what a recent range did
    // not have yet is asked again at the next look. An old range is as recorded: never asked again.
    const last = rows.times.length > 0 ? rows.times[rows.times.length - 1]! : request.from
    if (last < request.to && request.to > telemetry.liveTime - RECORDER_LAG_S) for (const n of request.signals) this.asked.set(n, subtract(this.asked.get(n) ?? [], [[last, request.to]]))
    const h = telemetry.history
    const deriver = pipeline.deriverFor(pipeline.subscribedSignals)
    const aligned = deriver.columns.length === h.signals.length && deriver.columns.every((n, i) => n === h.signals[i])
    const result = mergeRows(h, rows, {
      holeS: holeSpan(useConsole.getState().quality.telemetryHz),
      ...(Number.isFinite(telemetry.liveTime) ? { newest: telemetry.liveTime } : {}),
      ...(aligned ? { derive: deriver.derive } : {})
    })
    this.stats.inserted += result.inserted
    this.stats.filled += result.filled
    telemetry.replace(result.history)
  }

  private onError(request: PlannedRequest, message: string): void {
    // A lost link: asked again after the reconnect. Any other refusal stays asked, so it is logged once.
    if (/connection closed|not connected/.test(message)) {
      this.stats.lost++
      for (const n of request.signals) this.asked.set(n, subtract(this.asked.get(n) ?? [], [[request.from, request.to]]))
      return
    }
    this.stats.errors++
    if (/not recorded|not available/.test(message)) {
      // Asked once: the run has no history, and the log says so once, not once a request.
      if (this.unavailable === null) useConsole.getState().addLog('info', `${message}: plots start when the console connected`)
      this.unavailable = message
      return
    }
    if (/no recorded signal matches/.test(message)) {
      for (const n of request.signals) this.unrecorded.add(n)
      return
    }
    useConsole.getState().addLog('error', `history: ${message}`)
  }
}

export const historyLoader = new HistoryLoader()
