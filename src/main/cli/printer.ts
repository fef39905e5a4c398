// --print: chosen signals written to stdout at a fixed rate, one line per new frame, and the last frame
// of the run when it ends (whatever the rate, the final state is always printed).
import type { Snapshot } from '../engine/scheduler/scheduler'

export class SignalPrinter {
  constructor(
    private readonly names: readonly string[],
    private readonly slots: readonly number[],
    private readonly out: (line: string) => void
  ) {}

  private lastFrame = -1

  /** Prints the snapshot, unless it is the frame printed last (a paused or ended run). */
  print(s: Snapshot): void {
    if (s.frame === this.lastFrame) return
    this.lastFrame = s.frame
    const values = this.names.map((name, i) => `${name}=${formatValue(s.values[this.slots[i]!]!)}`)
    this.out(`frame ${s.frame}  t=${(s.timeNs / 1e9).toFixed(3)} s  ${values.join('  ')}`)
  }
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(4) : v.toFixed(4)
}
