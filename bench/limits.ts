// The console's per-received-frame work: limits checked over 1,000 signals (and derived signals
// computed), as the frame pipeline does for every frame the console receives. Target: well under a
// millisecond per frame, so that 60 frames a second at 1,000 signals cost under 1 % of a core.
import { join } from 'node:path'
import { printTable } from './table'

interface PipelineBench {
  SIGNALS: number
  FRAMES: number
  pipelineRows(): string[][]
}

export async function limitsBench(): Promise<void> {
  // Renderer code, loaded by path so that the engine's type-check does not take in the renderer's files.
  const bench = (await import(join(__dirname, '../src/renderer/src/frames/pipelineBench.ts'))) as PipelineBench
  printTable(`Limit checker per received frame (${bench.SIGNALS} signals in the frame, ${bench.FRAMES} frames)`, ['case', 'signals checked', 'derived', 'µs / frame', 'core at 60 Hz'], bench.pipelineRows())
}
