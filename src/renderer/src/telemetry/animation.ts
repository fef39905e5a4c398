// One requestAnimationFrame loop for every view that draws telemetry: at most one redraw per display
// frame, whatever the telemetry rate. It also keeps the frame times the performance benchmark reads.

type Draw = (now: number) => void

const draws = new Set<Draw>()
let scheduled = false

const FRAME_SAMPLES = 4096
/** Interval between consecutive animation frames, ms (a ring). */
export const frameIntervals = new Float64Array(FRAME_SAMPLES)
/** Time spent drawing in each animation frame, ms (a ring). */
export const drawTimes = new Float64Array(FRAME_SAMPLES)
export let frameCount = 0
let lastFrameAt = 0

function loop(now: number): void {
  scheduled = false
  const started = performance.now()
  for (const draw of draws) draw(now)
  const at = frameCount % FRAME_SAMPLES
  frameIntervals[at] = lastFrameAt > 0 ? now - lastFrameAt : 0
  lastFrameAt = now
  frameCount++
  // Charts paint in microtasks queued while drawing (uPlot commits that way): time them too.
  queueMicrotask(() => {
    drawTimes[at] = performance.now() - started
  })
  schedule()
}

function schedule(): void {
  if (scheduled || draws.size === 0) return
  scheduled = true
  requestAnimationFrame(loop)
}

export function onAnimationFrame(draw: Draw): () => void {
  draws.add(draw)
  schedule()
  return () => {
    draws.delete(draw)
  }
}
