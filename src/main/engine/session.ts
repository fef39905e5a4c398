// A Session is one loaded configuration running: its scheduler now, its server too once started.
import type { ResolvedConfig } from './config/types'
import { HEADER } from './backplane/backplane'
import { Scheduler, type SchedulerOptions, type Snapshot } from './scheduler/scheduler'
import { Recorder, type RecordingOptions, type RecordingSummary } from './recording/recorder'
import type { RecordedEvent } from './recording/format'

/** How long stop waits for a last snapshot before it reads the header instead. */
const SNAPSHOT_WAIT_MS = 500

export interface RunSummary {
  frames: number
  simulatedSeconds: number
  wallSeconds: number
  framesPerSecond: number
  realtimeFactor: number
  /** The recording of the run, when it was recorded. */
  recording?: RecordingSummary
}

export interface SessionOptions extends Omit<SchedulerOptions, 'recording'> {
  /** Record every frame of the run (and its commands and events) to this file. */
  recording?: RecordingOptions
}

export class Session {
  private readonly startedMs = performance.now()
  private summary: Promise<RunSummary> | null = null
  private takingLastFrame = false

  private constructor(
    readonly config: ResolvedConfig,
    readonly scheduler: Scheduler,
    /** The run's recorder, or null when it is not recorded. */
    readonly recorder: Recorder | null
  ) {
    if (recorder) scheduler.onEvent((event) => recorder.recordSchedulerEvent(event))
  }

  /** `options.serving`: whether clients are served, which decides what a module fault does by default. */
  static async start(config: ResolvedConfig, options: SessionOptions = {}): Promise<Session> {
    const recorder = options.recording ? await Recorder.start(config, options.recording) : null
    try {
      return new Session(config, await Scheduler.start(config, { serving: options.serving, ...(recorder ? { recording: recorder.tap } : {}) }), recorder)
    } catch (error) {
      await recorder?.close()
      throw error
    }
  }

  /** The run id the server announces: the recording's, so that both name the same run. */
  get runId(): string | undefined {
    return this.recorder?.runId
  }

  /** The file the run records into (the extended schema's `recording`), or null when it is not recorded. */
  get recordingFile(): string | null {
    return this.recorder?.file ?? null
  }

  /** History of the recorded signals (the protocol's `history` extension), or null when not recorded. */
  get history(): Recorder | null {
    return this.recorder
  }

  /** The recorded commands, events and notes (the protocol's `timeline` extension), or null when not recorded. */
  get timeline(): Recorder | null {
    return this.recorder
  }

  /** A client's command (pause, set...) with the frame it acted on, into the recording. */
  commandLog(event: RecordedEvent): void {
    this.recorder?.record(event)
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

  /** What a stop in progress waits for ("waiting for module 'm' to exit"), or '' before a stop. */
  stopProgress(): string {
    if (!this.summary) return ''
    return this.takingLastFrame ? 'taking the last frame' : this.scheduler.stopProgress()
  }

  private async finish(): Promise<RunSummary> {
    this.takingLastFrame = true
    const last = await this.lastFrame()
    this.takingLastFrame = false
    await this.scheduler.stop()
    const recording = this.recorder ? await this.recorder.close() : undefined
    const wallSeconds = (performance.now() - this.startedMs) / 1000
    const frames = last?.frame ?? 0
    const simulatedSeconds = (last?.timeNs ?? 0) / 1e9
    return {
      frames,
      simulatedSeconds,
      wallSeconds,
      framesPerSecond: wallSeconds > 0 ? frames / wallSeconds : 0,
      realtimeFactor: wallSeconds > 0 ? simulatedSeconds / wallSeconds : 0,
      ...(recording ? { recording } : {})
    }
  }

  /**
   * Where the run got to. A module stuck in a step holds the loop, which then answers no snapshot: the
   * header in shared memory says the same, without waiting (a frame and time a step apart at worst).
   */
  private async lastFrame(): Promise<{ frame: number; timeNs: number } | null> {
    let timer: NodeJS.Timeout | undefined
    const header = this.scheduler.backplane.header
    const fallback = new Promise<{ frame: number; timeNs: number }>((resolve) => {
      timer = setTimeout(() => resolve({ frame: header[HEADER.frame]!, timeNs: header[HEADER.timeNs]! }), SNAPSHOT_WAIT_MS)
    })
    try {
      return await Promise.race([this.scheduler.snapshot().catch(() => null), fallback])
    } finally {
      clearTimeout(timer)
    }
  }
}
