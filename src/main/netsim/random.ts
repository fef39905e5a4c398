// Seeded random streams for the proxy, so a run with --seed drops, jitters and disconnects the same way again.
import { SeededRandom } from '../../shared/random'

/**
 * One independent stream per (seed, connection, purpose). Each connection and direction draws from its
 * own stream, so what happens to the n-th message of one direction does not depend on how the other
 * direction's messages happened to interleave with it.
 */
export function stream(seed: number, connection: number, purpose: number): SeededRandom {
  let h = (seed ^ Math.imul(connection + 1, 0x9e3779b1) ^ Math.imul(purpose + 1, 0x85ebca77)) >>> 0
  // Avalanche (murmur3's finaliser) so that neighbouring ids give unrelated streams.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return new SeededRandom((h ^ (h >>> 16)) >>> 0)
}
