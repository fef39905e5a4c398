// A Session is one loaded configuration running: its scheduler now, its server too once started.
import type { ResolvedConfig } from './config/types'
import { Scheduler, type Snapshot } from './scheduler/scheduler'

export interface RunSummary {
  frames: number
  simulatedSeconds: number
  wallSeconds: number
  framesPerSecond: number
  realtimeFactor: number
}

export class Session {
  private readonly startedMs = performance.now()
  private summary: Promise<RunSummary> | null = null

  private constructor(
    readonly config: ResolvedConfig,
    readonly scheduler: Scheduler
  ) {}

  static async start(config: ResolvedConfig): Promise<Session> {
    return new Session(config, await Scheduler.start(config))
  }

  /** Resolves when the run reaches end_time (never, for a run without one). */
  whenEnded(): Promise<Snapshot> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.scheduler.state !== 'ended') return
        off()
        void this.scheduler.snapshot().then(resolve)
      }
      const off = this.scheduler.onEvent(check)
      check()
    })
  }

  /** Stops everything the session started and says what the run did. Safe to call twice. */
  stop(): Promise<RunSummary> {
    this.summary ??= this.finish()
    return this.summary
  }

  private async finish(): Promise<RunSummary> {
    const last = await this.scheduler.snapshot().catch(() => null)
    await this.scheduler.stop()
    const wallSeconds = (performance.now() - this.startedMs) / 1000
    const frames = last?.frame ?? 0
    const simulatedSeconds = (last?.timeNs ?? 0) / 1e9
    return {
      frames,
      simulatedSeconds,
      wallSeconds,
      framesPerSecond: wallSeconds > 0 ? frames / wallSeconds : 0,
      realtimeFactor: wallSeconds > 0 ? simulatedSeconds / wallSeconds : 0
    }
  }
}
