// Points for the XY panel that come from a dataset instead of telemetry (a sweep's results: one point per
// run), drawn as dots; the panel keeps its zoom, pan and keyboard, and picking a point selects its row.
import type { TrailBuffers } from './trail'

export interface XyPoints {
  xLabel: string
  yLabel: string
  x: Float64Array
  y: Float64Array
  /** The row each point stands for (the selection and the readout name rows). */
  rows: Float64Array
  /** Changes whenever x, y or rows do: the panel refills its buffers then. */
  version: string
  /** The selected row, ringed; null for none. */
  selected: number | null
  /** A point clicked (or chosen by keyboard): its row. */
  onPick(row: number): void
  /** How a row is named in the readout (run 42). */
  describe(row: number): string
}

/** Copies the points into the panel's buffers (t holds the row of each point). */
export function fillPoints(points: XyPoints, out: TrailBuffers): void {
  const n = Math.min(points.x.length, out.maxPoints)
  out.t.set(points.rows.subarray(0, n))
  out.xs[0]!.set(points.x.subarray(0, n))
  out.ys[0]!.set(points.y.subarray(0, n))
  out.length = n
}

/** The buffer index of `row`, or -1. */
export function pointOfRow(out: TrailBuffers, row: number | null): number {
  if (row === null) return -1
  for (let j = 0; j < out.length; j++) if (out.t[j] === row) return j
  return -1
}
