// A one-line progress bar for afap runs with an end_time, redrawn in place on a terminal.

const WIDTH = 30

export class ProgressBar {
  private readonly startMs = performance.now()

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly endSeconds: number
  ) {}

  update(simulatedSeconds: number, frames: number): void {
    const fraction = this.endSeconds > 0 ? Math.min(1, simulatedSeconds / this.endSeconds) : 1
    const filled = Math.round(fraction * WIDTH)
    const elapsed = (performance.now() - this.startMs) / 1000
    const rate = elapsed > 0 ? frames / elapsed : 0
    const bar = '#'.repeat(filled) + '.'.repeat(WIDTH - filled)
    const text = `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${simulatedSeconds.toFixed(2)}/${this.endSeconds.toFixed(2)} s  ${Math.round(rate).toLocaleString('en-US')} frames/s`
    this.stream.write(`\r${text}`)
  }

  finish(): void {
    this.stream.write('\n')
  }
}
