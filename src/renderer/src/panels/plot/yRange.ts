// The y range of a plot axis. It is held while the data stays inside it and fills at least half of it,
// and set again (padded, rounded out to a round step) when the data leaves it or shrinks well inside: an
// axis that does not twitch with every frame of a sliding window is easier to read, and a plot whose
// scales stay can move what it drew instead of drawing it again (stripSeries.ts).

/** The smallest of 1, 2 and 5 times a power of ten that is at least `x` (x > 0). */
export function roundStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 5, 10]) if (m * power >= x * (1 - 1e-12)) return m * power
  return 10 * power
}

/** Data [lo, hi] (lo > hi: no data) shown on an axis that showed `held` (null: none yet). */
export function holdRange(held: readonly [number, number] | null, lo: number, hi: number): [number, number] {
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return held ? [held[0], held[1]] : [-1, 1]
  if (held && lo >= held[0] && hi <= held[1] && hi - lo >= (held[1] - held[0]) * 0.5) return [held[0], held[1]]
  const span = hi - lo
  // A flat line gets a band around it, so it is visible and its value readable.
  const pad = span > 1e-12 * Math.max(1, Math.abs(hi)) ? span * 0.05 : Math.max(Math.abs(hi), 1) * 0.02
  const step = roundStep((span + 2 * pad) / 10)
  return [Math.floor((lo - pad) / step) * step, Math.ceil((hi + pad) / step) * step]
}
