// Seeded, reproducible random numbers: the same seed gives the same run again (model noise, netsim loss).

/** mulberry32: tiny, fast and good enough for simulation noise (not for cryptography). */
export class SeededRandom {
  private state: number

  constructor(private readonly seed: number) {
    this.state = seed >>> 0
  }

  restart(): void {
    this.state = this.seed >>> 0
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Uniform in [-1, 1). */
  symmetric(): number {
    return this.uniform() * 2 - 1
  }

  /** Exponentially distributed with mean 1: waiting times of a Poisson process. */
  exponential(): number {
    return -Math.log(1 - this.uniform())
  }

  /** Standard normal through Box-Muller; one uniform pair per sample keeps the sequence simple to replay. */
  gaussian(): number {
    const u1 = 1 - this.uniform()
    const u2 = this.uniform()
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }
}
