// How a module's thread or process and the scheduler wait for each other: spin only while the peer answers
// within the spin budget and a core is free, else block (futex or pipe). A spinner holds a core, and on a
// machine whose cores are shared (a browser, an IDE, CI, other modules) it spins against its own peer.
import { closeSync, openSync, readSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { ResolvedConfig } from '../config/types'
import { runnerFor } from './kind'

/** The modules' default budget (µs) for their next request, when every module and the scheduler can have a core. */
export const SPIN_US = 50

/** `adaptive` (the default), `spin` (always spin the budget: the old rule, for comparison) or `block` (never spin). */
export type WaitPolicy = 'adaptive' | 'spin' | 'block'

/** HERMES_WAIT, checked: anything else is the default. */
export function waitPolicy(): WaitPolicy {
  const v = process.env.HERMES_WAIT
  return v === 'spin' || v === 'block' ? v : 'adaptive'
}

/** Microseconds; HERMES_SPIN_US overrides the rule (0 never spins). */
export function moduleSpinMicros(config: ResolvedConfig): number {
  const override = Number(process.env.HERMES_SPIN_US)
  if (process.env.HERMES_SPIN_US !== undefined && Number.isFinite(override) && override >= 0) return override
  if (waitPolicy() === 'block') return 0
  const separate = config.modules.filter((m) => runnerFor(m.type, m.script) !== 'inproc').length
  return separate + 1 <= availableParallelism() ? SPIN_US : 0
}

/** What a waiter did: read by tests and benchmarks (never by the loop itself). */
export interface WaitCounters {
  /** Waits the peer answered while this side was spinning. */
  spins: number
  /** Spins given up because this thread was preempted or the machine had no free core: the core went to others. */
  yields: number
  /** Waits that slept (futex or blocking read). */
  blocks: number
  /** Changes between spinning and blocking. */
  switches: number
}

/** Runnable threads on the machine and its cores, sampled now and then; null where the system does not say. */
export interface LoadProbe {
  /** True when another runnable thread would find no core (more runnable than cores). */
  busy(): boolean | null
}

/**
 * Linux: the fourth field of /proc/loadavg counts the runnable threads right now, the caller and its peer
 * included (one of them works while the other waits). Read at most every `periodMs`, on a descriptor kept open.
 */
export class ProcLoad implements LoadProbe {
  private fd: number | null = null
  private readonly buffer = Buffer.alloc(128)
  private lastMs = -Infinity
  private last: boolean | null = null

  constructor(
    private readonly cores = availableParallelism(),
    private readonly periodMs = 20,
    private readonly file = '/proc/loadavg'
  ) {
    try {
      this.fd = openSync(file, 'r')
    } catch {
      this.fd = null
    }
  }

  busy(): boolean | null {
    if (this.fd === null) return null
    const now = performance.now()
    if (now - this.lastMs < this.periodMs) return this.last
    this.lastMs = now
    try {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, 0)
      const text = this.buffer.toString('latin1', 0, n)
      const runnable = Number(text.split(' ')[3]?.split('/')[0])
      this.last = Number.isFinite(runnable) ? runnable > this.cores : null
    } catch {
      this.last = null
    }
    return this.last
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}

/** Knobs of the adaptive rule; the defaults are documented in docs/architecture.md. */
export interface WaitOptions {
  policy?: WaitPolicy
  load?: LoadProbe
  /** A gap this long between two polls means the thread was descheduled: no core was free. */
  preemptedMs?: number
  /** Spins in a row that ran out of budget before the waiter gives spinning up. */
  missLimit?: number
  /** While blocking, one wait in this many (doubling on each failed try, up to `probeMax`) tries spinning again. */
  probeMin?: number
  probeMax?: number
}

/** A slow peer or a busy machine turns spinning off; a probe now and then turns it back on. */
export class AdaptiveWait {
  readonly counters: WaitCounters = { spins: 0, yields: 0, blocks: 0, switches: 0 }
  private readonly policy: WaitPolicy
  private readonly load: LoadProbe | null
  private readonly preemptedMs: number
  private readonly missLimit: number
  private readonly probeMin: number
  private readonly probeMax: number
  private spinning: boolean
  private misses = 0
  private probeEvery: number
  private untilProbe = 0

  constructor(
    /** How long one wait may spin; 0 never spins. */
    readonly budgetMs: number,
    options: WaitOptions = {}
  ) {
    this.policy = options.policy ?? waitPolicy()
    this.load = options.load ?? null
    this.preemptedMs = options.preemptedMs ?? 0.05
    this.missLimit = options.missLimit ?? 3
    this.probeMin = options.probeMin ?? 64
    this.probeMax = options.probeMax ?? 4096
    this.probeEvery = this.probeMin
    this.spinning = budgetMs > 0 && this.policy !== 'block'
  }

  /** Whether the next wait would spin (tests and the docs' description; the loop calls `spin`). */
  get isSpinning(): boolean {
    return this.spinning
  }

  /**
   * Polls `ready` for as long as spinning is worthwhile; true once it is ready. False: the caller blocks
   * (on the futex or in a blocking read) and then calls `blocked()`.
   */
  spin(ready: () => boolean): boolean {
    if (ready()) return true
    if (this.budgetMs <= 0 || this.policy === 'block') return false
    if (this.policy === 'adaptive') {
      if (!this.spinning) {
        if (--this.untilProbe > 0) return false
        // A probe: one wait spins again to see whether the peer is fast and a core free again.
      }
      if (this.load?.busy() === true) return this.giveUp(true)
    }
    const start = performance.now()
    const until = start + this.budgetMs
    let last = start
    for (;;) {
      if (ready()) {
        this.counters.spins++
        this.misses = 0
        if (!this.spinning) this.resume()
        return true
      }
      const now = performance.now()
      if (this.policy === 'adaptive' && now - last > this.preemptedMs) return this.giveUp(true)
      last = now
      if (now >= until) return this.policy === 'adaptive' ? this.giveUp(false) : false
    }
  }

  /** The caller slept for this wait. */
  blocked(): void {
    this.counters.blocks++
  }

  private giveUp(preempted: boolean): false {
    if (preempted) this.counters.yields++
    if (this.spinning) {
      if (!preempted && ++this.misses < this.missLimit) return false
      this.spinning = false
      this.counters.switches++
      this.probeEvery = this.probeMin
    } else {
      // A failed probe: try less often.
      this.probeEvery = Math.min(this.probeMax, this.probeEvery * 2)
    }
    this.misses = 0
    this.untilProbe = this.probeEvery
    return false
  }

  private resume(): void {
    this.spinning = true
    this.counters.switches++
    this.probeEvery = this.probeMin
  }
}

/** One load probe per thread: every waiter on the scheduler thread shares it. */
let sharedLoad: ProcLoad | null = null
export function machineLoad(): LoadProbe {
  sharedLoad ??= new ProcLoad()
  return sharedLoad
}
