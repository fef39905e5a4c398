// One-line progress bars redrawn in place on a terminal: an afap run with an end_time, and a sweep's runs.

const WIDTH = 30

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH)
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`
}

export class ProgressBar {
  private readonly startMs = performance.now()

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly endSeconds: number
  ) {}

  update(simulatedSeconds: number, frames: number): void {
    const fraction = this.endSeconds > 0 ? Math.min(1, simulatedSeconds / this.endSeconds) : 1
    const elapsed = (performance.now() - this.startMs) / 1000
    const rate = elapsed > 0 ? frames / elapsed : 0
    const text = `${bar(fraction)}  ${simulatedSeconds.toFixed(2)}/${this.endSeconds.toFixed(2)} s  ${Math.round(rate).toLocaleString('en-US')} frames/s`
    this.stream.write(`\r${text}`)
  }

  finish(): void {
    this.stream.write('\n')
  }
}

/** `1h02m`, `3m05s`, `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.max(0, Math.round(seconds))
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${s}s`
}

/**
 * Runs done out of a total, the rate in runs per second and the time left at that rate. On a terminal it
 * redraws in place; elsewhere (a log, a CI job) it writes a line at most every `everyMs`.
 */
export class RunsProgress {
  private readonly startMs = performance.now()
  private lastLineMs = -Infinity

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly total: number,
    /** Runs already done before this start (a resumed sweep): they count as done, not in the rate. */
    private readonly before: number,
    private readonly everyMs = 5000
  ) {}

  text(done: number, failed: number): string {
    const elapsed = (performance.now() - this.startMs) / 1000
    const ranNow = done - this.before
    const rate = elapsed > 0 ? ranNow / elapsed : 0
    const left = rate > 0 ? (this.total - done) / rate : Infinity
    const fraction = this.total > 0 ? done / this.total : 1
    return `${bar(fraction)}  ${done}/${this.total} runs${failed > 0 ? ` (${failed} failed)` : ''}  ${rate.toFixed(2)} runs/s  ETA ${done >= this.total ? '0s' : formatDuration(left)}`
  }

  update(done: number, failed: number): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.text(done, failed)}`)
      return
    }
    // The last line is finish()'s.
    const now = performance.now()
    if (now - this.lastLineMs < this.everyMs || done >= this.total) return
    this.lastLineMs = now
    this.stream.write(`${this.text(done, failed)}\n`)
  }

  finish(done: number, failed: number): void {
    this.stream.write(this.stream.isTTY ? `\r${this.text(done, failed)}\n` : `${this.text(done, failed)}\n`)
  }
}
