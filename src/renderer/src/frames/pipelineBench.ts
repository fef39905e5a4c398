// The frame pipeline's cost per received frame at 1,000 signals, measured by bench/limits.ts (kept here so
// that it is type-checked with the renderer code it drives; it is not part of the console's bundle).
import { flushCrossings, useAlarms } from '../limits/alarms'
import type { SignalInfo } from '../tree/buildTree'
import { FramePipeline } from './pipeline'

export const SIGNALS = 1000
export const FRAMES = 20_000

function signals(limited: number): SignalInfo[] {
  return Array.from({ length: SIGNALS }, (_, i) => ({
    name: `m${i % 10}.s${i}`,
    module: `m${i % 10}`,
    unit: 'm',
    writable: false,
    description: '',
    ...(i < limited ? { limits: { warn: [-1, 1] as [number, number], alarm: [-2, null] as [number, null] } } : {})
  }))
}

function derived(count: number) {
  return Array.from({ length: count }, (_, i) => ({ name: `d${i}`, expression: `hypot(m0.s${i * 10}, m1.s${i * 10 + 1}) * 2 + deg(m2.s${i * 10 + 2})`, unit: '' }))
}

function measure(limited: number, derivedCount: number, chatter: boolean): { usPerFrame: number; checked: number } {
  const p = new FramePipeline()
  const info = signals(limited)
  p.configure({ signals: info, derived: derived(derivedCount), limits: {} })
  p.columns(info.map((s) => s.name))
  const quiet = new Float64Array(SIGNALS).map((_, i) => Math.sin(i) * 0.5)
  // Chattering: every limited value crosses warn on every frame (the worst case for recording).
  const loud = quiet.map((v) => v + 1.5)
  const run = (frames: number): void => {
    for (let f = 0; f < frames; f++) {
      p.process(f, f / 100, chatter && f % 2 === 1 ? loud : quiet)
      // The store takes the recorded crossings in batches, as the console's timer does.
      if (f % 1000 === 999) flushCrossings()
    }
    flushCrossings()
  }
  useAlarms.getState().clear()
  run(2000)
  const start = performance.now()
  run(FRAMES)
  const ms = performance.now() - start
  return { usPerFrame: (ms * 1000) / FRAMES, checked: p.checker.size }
}

/** Rows of the benchmark table: case, signals checked, derived, µs per frame, share of a core at 60 Hz. */
export function pipelineRows(): string[][] {
  const rows: string[][] = []
  for (const [limited, d, chatter, label] of [
    [0, 0, false, 'nothing to check (pass-through)'],
    [1000, 0, false, '1,000 limited, all within'],
    [1000, 16, false, '1,000 limited + 16 derived'],
    [100, 0, true, '100 limited, every one crossing every frame'],
    [1000, 0, true, '1,000 limited, every one crossing every frame']
  ] as const) {
    const r = measure(limited, d, chatter)
    rows.push([label, String(r.checked), String(d), r.usPerFrame.toFixed(2), `${((r.usPerFrame * 60) / 1e4).toFixed(3)} %`])
  }
  return rows
}
