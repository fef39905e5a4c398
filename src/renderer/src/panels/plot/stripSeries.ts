// A plot's series, drawn on a canvas of their own over uPlot's plotting area (uPlot keeps the y axes,
// the horizontal grid, the limit bands and the cursor). While the live window only slides, by whole pixel
// columns, over data that only grew at the right, and no y scale moved, the picture already drawn is
// moved left and only the columns that changed are drawn again: a live plot then costs a few columns per
// frame instead of every sample in its window, which is where the time of many signals over many plots
// went. The vertical grid moves with the time axis, so it is drawn here too (timeAxis.ts has the labels).
import { tickTimes } from './timeAxis'

/** What one frame of a plot shows: the decimated window (decimate.ts) and how each series is drawn. */
export interface StripFrame {
  /** Sample times, ascending, `length` of them; one value per series and sample in `ys`. */
  x: Float64Array
  ys: readonly Float64Array[]
  length: number
  /** The x range shown, simulated seconds. */
  min: number
  max: number
  /** Per series, the [min, max] of its y scale; null for a series that is not drawn (hidden). */
  scales: readonly ([number, number] | null)[]
  colors: readonly string[]
  /** Nothing drawn before changed: samples were only added after the newest one, the window only slid. */
  appendOnly: boolean
  /** The vertical grid: a line at every multiple of `step` seconds (timeAxis.ts), under the series. */
  grid: { step: number; color: string } | null
}

/** How frames were drawn, counted for the console's diagnostics (and the tests that read them). */
export interface StripCounts {
  full: number
  shifted: number
  /** Frames in which uPlot's canvas under the layer (y axes, y grid, limit bands) was drawn again too. */
  chart: number
}

interface Drawn {
  min: number
  max: number
  width: number
  height: number
  /** The y scales and the grid drawn with them: a change of either draws the picture whole. */
  scales: string
  /** Device x of the newest sample drawn. */
  newestPx: number
}

/** Index of the first of `x[0..length)` that is >= t. */
function lowerBound(x: Float64Array, length: number, t: number): number {
  let lo = 0
  let hi = length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (x[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Every plot's series layer, by panel id (the diagnostics handle reads them). */
export const plotStrips = new Map<string, StripSeries>()

function scalesKey(scales: StripFrame['scales']): string {
  return scales.map((s) => (s ? `${s[0]},${s[1]}` : '-')).join(';')
}

export class StripSeries {
  readonly canvas: HTMLCanvasElement
  private readonly ctx: CanvasRenderingContext2D
  private drawn: Drawn | null = null
  /** The last frame drawn and its size, for `wholeRedrawDiff`. */
  private lastFrame: { frame: StripFrame; width: number; height: number; lineWidth: number } | null = null
  readonly counts: StripCounts = { full: 0, shifted: 0, chart: 0 }

  constructor(parent: HTMLElement) {
    this.canvas = document.createElement('canvas')
    this.canvas.className = 'plot-series'
    // Under the cursor's line and points, which uPlot keeps in the same element.
    parent.prepend(this.canvas)
    this.ctx = this.canvas.getContext('2d')!
  }

  /** The next frame is drawn whole (a resize, a theme, anything that changes what is already drawn). */
  invalidate(): void {
    this.drawn = null
  }

  /** Draws `frame` on a canvas of `width` x `height` device pixels. */
  draw(frame: StripFrame, width: number, height: number, lineWidth: number): void {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width
      this.canvas.height = height
      this.drawn = null
    }
    const span = frame.max - frame.min
    if (!(span > 0) || width <= 0 || height <= 0) return
    const pxPerS = width / span
    const key = `${scalesKey(frame.scales)}|${frame.grid ? `${frame.grid.step},${frame.grid.color}` : ''}`
    const before = this.drawn
    let from = 0
    if (before && frame.appendOnly && before.scales === key && before.width === width && before.height === height && Math.abs(before.max - before.min - span) <= span * 1e-9) {
      const shift = (frame.min - before.min) * pxPerS
      const whole = Math.round(shift)
      if (whole >= 0 && whole < width && Math.abs(shift - whole) < 1e-3) {
        if (whole > 0) {
          this.ctx.globalCompositeOperation = 'copy'
          this.ctx.drawImage(this.canvas, -whole, 0)
          this.ctx.globalCompositeOperation = 'source-over'
        }
        // The column of the newest sample drawn last time was drawn with part of its bucket (and lines
        // end there): it and the one before are drawn again with everything after them.
        from = Math.max(0, Math.min(width, Math.floor(before.newestPx - whole) - 2))
        this.counts.shifted++
      } else {
        this.counts.full++
      }
    } else {
      this.counts.full++
    }
    this.paint(frame, from, width, height, pxPerS, lineWidth)
    const newest = frame.length > 0 ? frame.x[frame.length - 1]! : frame.min
    this.drawn = { min: frame.min, max: frame.max, width, height, scales: key, newestPx: (newest - frame.min) * pxPerS }
    this.lastFrame = { frame, width, height, lineWidth }
  }

  /**
   * How many pixel columns of the picture differ from drawing its last frame whole (diagnostics: zero
   * when moving what was drawn is right). A line drawn in parts is antialiased a little differently from
   * the same line drawn whole (Skia picks its method by the path's size), which moves a few levels of
   * coverage between the pixels of a column; a part of a line missing or left behind changes the column's
   * ink by a whole pixel or more. So a column differs when its total alpha differs by more than half a
   * pixel's. Call it between frames: the frame's buffers are reused.
   */
  wholeRedrawDiff(): number {
    const last = this.lastFrame
    if (!last || last.width === 0 || last.height === 0) return 0
    const ink = (): Float64Array => {
      const data = this.ctx.getImageData(0, 0, last.width, last.height).data
      const columns = new Float64Array(last.width)
      for (let i = 3; i < data.length; i += 4) columns[((i - 3) / 4) % last.width]! += data[i]!
      return columns
    }
    const before = ink()
    this.drawn = null
    this.draw(last.frame, last.width, last.height, last.lineWidth)
    this.counts.full--
    const after = ink()
    let differing = 0
    for (let x = 0; x < last.width; x++) if (Math.abs(before[x]! - after[x]!) > 128) differing++
    return differing
  }

  /** Clears columns [from, width) and draws every series through them. */
  private paint(frame: StripFrame, from: number, width: number, height: number, pxPerS: number, lineWidth: number): void {
    const ctx = this.ctx
    ctx.save()
    ctx.beginPath()
    ctx.rect(from, 0, width - from, height)
    ctx.clip()
    ctx.clearRect(from, 0, width - from, height)
    if (frame.grid) {
      // Whole device pixels, so that a line moved with the picture lands where a redraw puts it.
      ctx.fillStyle = frame.grid.color
      const w = Math.max(1, Math.round(lineWidth))
      for (const t of tickTimes(frame.min + (from - w) / pxPerS, frame.max, frame.grid.step)) ctx.fillRect(Math.round((t - frame.min) * pxPerS), 0, w, height)
    }
    ctx.lineWidth = lineWidth
    ctx.lineJoin = 'round'
    // Lines into the first column start at the sample before it.
    const start = Math.max(0, lowerBound(frame.x, frame.length, frame.min + (from - 1) / pxPerS) - 1)
    frame.scales.forEach((scale, s) => {
      if (!scale) return
      const y = frame.ys[s]!
      const yScale = scale[1] > scale[0] ? height / (scale[1] - scale[0]) : 0
      ctx.strokeStyle = frame.colors[s]!
      ctx.beginPath()
      let open = false
      for (let k = start; k < frame.length; k++) {
        const v = y[k]!
        // A NaN sample is a gap in the line.
        if (Number.isNaN(v)) {
          open = false
          continue
        }
        const px = (frame.x[k]! - frame.min) * pxPerS
        const py = (scale[1] - v) * yScale
        if (open) ctx.lineTo(px, py)
        else ctx.moveTo(px, py)
        open = true
      }
      ctx.stroke()
    })
    ctx.restore()
  }

  destroy(): void {
    this.canvas.remove()
  }
}
