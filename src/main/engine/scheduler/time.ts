// Integer-nanosecond simulation time: the one place where rates and seconds become nanoseconds.

/** Rounds half to even, as Python's round() does, so dt_ns matches the Hermes anchor bit for bit. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const fraction = x - floor
  if (fraction > 0.5) return floor + 1
  if (fraction < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** Frame period in integer nanoseconds: round(1e9 / rate_hz), half to even. */
export function dtNsFromRate(rateHz: number): number {
  return roundHalfEven(1e9 / rateHz)
}

/** Seconds to integer nanoseconds with the same rounding as dtNsFromRate. */
export function secondsToNs(seconds: number): number {
  return roundHalfEven(seconds * 1e9)
}

/**
 * Time stays exact while frame * dt_ns fits in a double's integer range (2^53 ns, about 104 days of
 * simulated time); past that the engine refuses to advance rather than drift silently.
 */
export const MAX_EXACT_TIME_NS = Number.MAX_SAFE_INTEGER
