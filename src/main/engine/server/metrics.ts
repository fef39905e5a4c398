// Run metrics for the status message: frames per second, realtime factor and module step times,
// measured over windows of at least half a second from the snapshots the server takes anyway.
import type { ModuleStatus } from '../../../shared/protocol/messages'
import type { ModuleTime } from '../scheduler/scheduler'

const WINDOW_MS = 500

interface Sample {
  wallMs: number
  frame: number
  timeNs: number
  modules: ModuleTime[]
}

export class RunMetrics {
  private previous: Sample | null = null
  framesPerSecond = 0
  realtimeFactor = 0
  modules: ModuleStatus[] = []

  update(wallMs: number, frame: number, timeNs: number, moduleTimes: () => ModuleTime[]): void {
    const prev = this.previous
    if (prev && wallMs - prev.wallMs < WINDOW_MS) return
    const sample: Sample = { wallMs, frame, timeNs, modules: moduleTimes() }
    if (prev) {
      const seconds = (wallMs - prev.wallMs) / 1000
      // A reset moves frame and time backwards: that window says nothing about speed.
      if (frame >= prev.frame) {
        this.framesPerSecond = (frame - prev.frame) / seconds
        this.realtimeFactor = (timeNs - prev.timeNs) / 1e9 / seconds
      }
      this.modules = sample.modules.map((m, i) => {
        const before = prev.modules[i]
        const samples = m.samples - (before?.samples ?? 0)
        const previousMean = this.modules[i]?.step_us ?? 0
        return { name: m.name, step_us: samples > 0 ? ((m.totalMs - (before?.totalMs ?? 0)) / samples) * 1000 : previousMean }
      })
    } else {
      this.modules = sample.modules.map((m) => ({ name: m.name, step_us: m.samples > 0 ? (m.totalMs / m.samples) * 1000 : 0 }))
    }
    this.previous = sample
  }
}
