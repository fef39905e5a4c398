// How late realtime frames start against their schedule: a fixed histogram, so recording never allocates.

import type { LatenessStats } from './control'

const BIN_MS = 0.001
const BINS = 100_000 // 1 µs bins up to 100 ms; later than that lands in the last bin

export class LatenessRecorder {
  private readonly bins = new Uint32Array(BINS)
  private samples = 0
  private maxMs = 0
  private rebases = 0
  private endDriftMs: number | null = null

  record(lateMs: number): void {
    const bin = Math.min(BINS - 1, Math.floor(lateMs / BIN_MS))
    this.bins[bin]!++
    this.samples++
    if (lateMs > this.maxMs) this.maxMs = lateMs
  }

  /** Wall-clock time minus simulated time when end_time was reached. */
  finish(driftMs: number): void {
    this.endDriftMs = driftMs
  }

  rebase(): void {
    this.rebases++
  }

  stats(): LatenessStats {
    return { samples: this.samples, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99), maxMs: this.maxMs, rebases: this.rebases, endDriftMs: this.endDriftMs }
  }

  private quantile(q: number): number {
    if (this.samples === 0) return 0
    const target = Math.ceil(q * this.samples)
    let seen = 0
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i]!
      if (seen >= target) return (i + 1) * BIN_MS
    }
    return this.maxMs
  }
}
