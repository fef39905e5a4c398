// A time plot's x axis (ticks, labels, caption) on a canvas of its own under uPlot's, and the tick times
// its vertical grid lines are drawn at by the series layer. Drawn here rather than by uPlot so that a live
// window that only slides redraws a strip of labels and moves the series layer, and leaves uPlot's canvas
// (y axes, y grid, limit bands) alone until a y range moves: redrawing uPlot whole for every frame of
// every plot was where most of a busy console's frame went.

/** Height of the axis strip in CSS pixels: tick marks, labels and the caption. */
export const TIME_AXIS_HEIGHT = 44
/** Labels are at least this far apart, in CSS pixels. */
const MIN_LABEL_SPACING = 80
const TICK_LENGTH = 4

export interface TimeTicks {
  /** Seconds between ticks: 1, 2 or 5 times a power of ten. */
  step: number
  /** Digits after the point that tell two neighbouring labels apart. */
  decimals: number
}

/** The tick spacing for `span` seconds over `widthCss` pixels: the smallest nice step whose labels fit. */
export function timeTicks(span: number, widthCss: number): TimeTicks {
  const wanted = (span * MIN_LABEL_SPACING) / Math.max(1, widthCss)
  if (!(wanted > 0) || !Number.isFinite(wanted)) return { step: 1, decimals: 0 }
  const power = Math.floor(Math.log10(wanted))
  let step = 10 ** power
  for (const m of [1, 2, 5, 10]) {
    if (m * 10 ** power >= wanted * (1 - 1e-9)) {
      step = m * 10 ** power
      break
    }
  }
  return { step, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) }
}

/** The tick times in [from, to], as multiples of `step` (so a sliding window keeps the same ticks). */
export function tickTimes(from: number, to: number, step: number): number[] {
  const out: number[] = []
  if (!(step > 0) || !(to >= from)) return out
  const first = Math.ceil(from / step - 1e-9)
  for (let k = first; k * step <= to + step * 1e-9 && out.length < 10_000; k++) out.push(k * step)
  return out
}

/** A label that reads the same for the same time, whatever the window: no "-0", no float noise. */
export function tickLabel(t: number, decimals: number): string {
  const text = t.toFixed(decimals)
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text
}

export interface AxisColors {
  axis: string
  tick: string
}

export class TimeAxis {
  readonly canvas: HTMLCanvasElement
  private readonly ctx: CanvasRenderingContext2D
  private drawnKey = ''

  constructor(
    parent: HTMLElement,
    private readonly font: string,
    private readonly caption: string
  ) {
    this.canvas = document.createElement('canvas')
    this.canvas.className = 'plot-time-axis'
    this.canvas.setAttribute('aria-hidden', 'true')
    parent.append(this.canvas)
    this.ctx = this.canvas.getContext('2d')!
  }

  /**
   * Draws the axis for [min, max] over a plotting area `left` to `left + width` CSS pixels from the
   * canvas's left edge, `fullWidth` wide in all; nothing when what it shows has not changed.
   */
  draw(min: number, max: number, left: number, width: number, fullWidth: number, dpr: number, colors: AxisColors): void {
    const key = `${min}|${max}|${left}|${width}|${fullWidth}|${dpr}|${colors.axis}|${colors.tick}`
    if (key === this.drawnKey) return
    this.drawnKey = key
    const w = Math.round(fullWidth * dpr)
    const h = Math.round(TIME_AXIS_HEIGHT * dpr)
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w
      this.canvas.height = h
      this.canvas.style.width = `${fullWidth}px`
      this.canvas.style.height = `${TIME_AXIS_HEIGHT}px`
    }
    const ctx = this.ctx
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, fullWidth, TIME_AXIS_HEIGHT)
    const span = max - min
    if (!(span > 0) || width <= 0) return
    const { step, decimals } = timeTicks(span, width)
    const pxPerS = width / span
    ctx.font = this.font
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    ctx.fillStyle = colors.tick
    const ticks = tickTimes(min, max, step)
    for (const t of ticks) ctx.fillRect(Math.round(left + (t - min) * pxPerS), 0, 1, TICK_LENGTH)
    ctx.fillStyle = colors.axis
    for (const t of ticks) {
      // A label at either end of the axis stays whole inside the canvas.
      const text = tickLabel(t, decimals)
      const half = ctx.measureText(text).width / 2
      const x = Math.min(fullWidth - half - 1, Math.max(half + 1, left + (t - min) * pxPerS))
      ctx.fillText(text, x, TICK_LENGTH + 3)
    }
    ctx.fillText(this.caption, left + width / 2, TIME_AXIS_HEIGHT - 15)
  }

  destroy(): void {
    this.canvas.remove()
  }
}
