// Seeded random streams for the proxy, so a run with --seed drops, jitters and disconnects the same way again.

/** mulberry32: small and fast; statistical quality is plenty for network noise, none is claimed for security. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Uniform in [-1, 1). */
  symmetric(): number {
    return this.next() * 2 - 1
  }

  /** Exponentially distributed with mean 1: waiting times of a Poisson process. */
  exponential(): number {
    return -Math.log(1 - this.next())
  }
}

/**
 * One independent stream per (seed, connection, purpose). Each connection and direction draws from its
 * own stream, so what happens to the n-th message of one direction does not depend on how the other
 * direction's messages happened to interleave with it.
 */
export function stream(seed: number, connection: number, purpose: number): Random {
  let h = (seed ^ Math.imul(connection + 1, 0x9e3779b1) ^ Math.imul(purpose + 1, 0x85ebca77)) >>> 0
  // Avalanche (murmur3's finaliser) so that neighbouring ids give unrelated streams.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return new Random((h ^ (h >>> 16)) >>> 0)
}
