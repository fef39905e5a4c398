// Text output of the headless command: tables, numbers, the run summary.
import type { RunSummary } from '../engine/session'

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** 1234567 -> "1.23M"; keeps tables narrow. */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  return n.toFixed(0)
}

export function formatSummary(s: RunSummary): string {
  return table(
    ['frames', 'simulated', 'wall', 'frames/s', 'realtime factor'],
    [[String(s.frames), `${s.simulatedSeconds.toFixed(3)} s`, `${s.wallSeconds.toFixed(3)} s`, compact(s.framesPerSecond), `${s.realtimeFactor.toFixed(3)}x`]]
  )
}
