// A recording served as a run (`hermes replay`, the desktop's File > Open): the recorded schema, frames
// played by a ReplayPlayer, history and timeline answered from the file, for the segment being played.
import type { ResolvedConfig } from '../config/types'
import type { ReplaySpeed } from '../../../shared/protocol/messages'
import { HistoryBuilder, type HistoryQuery, type HistoryReply, type HistorySource } from '../recording/history'
import { DecodeScratch, summaryOf } from '../recording/batchCodec'
import { decodeBatch } from '../recording/format'
import { RecordingReader } from '../recording/reader'
import { Timeline, type TimelineSource } from '../recording/timeline'
import type { ServedRun } from '../server/server'
import { configFromRecording, type ReplayServerSettings } from './config'
import { ReplayPlayer } from './player'

export interface ReplayOptions extends ReplayServerSettings {
  /** A factor of real time (0.1 to 100) or 'afap'; default 1. */
  speed?: ReplaySpeed
  /** Start paused on the first frame (default: playing). */
  paused?: boolean
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class Replay implements ServedRun {
  readonly history: HistorySource
  readonly timeline: TimelineSource
  /** Every decode of a history query goes into it: the builder reads each batch before the next turn. */
  private readonly decodeScratch = new DecodeScratch()

  private constructor(
    readonly file: string,
    readonly config: ResolvedConfig,
    readonly scheduler: ReplayPlayer,
    readonly runId: string,
    private readonly reader: RecordingReader,
    private readonly timelines: readonly Timeline[]
  ) {
    this.history = { signals: reader.signals.map((s) => s.name), query: (q) => this.query(q) }
    this.timeline = { timeline: () => this.timelines[this.scheduler.segment.index]!.list() }
  }

  /** Opens the recording (it must have its index) and positions on its first frame. */
  static async open(file: string, options: ReplayOptions): Promise<Replay> {
    let reader: RecordingReader
    try {
      reader = await RecordingReader.open(file)
    } catch (error) {
      throw new Error(`cannot replay ${file}: ${error instanceof Error ? error.message : String(error)}`)
    }
    try {
      const config = configFromRecording(reader, options)
      const player = await ReplayPlayer.start(reader, { speed: options.speed ?? 1, paused: options.paused ?? false })
      const timelines = player.segments.map(() => new Timeline())
      for (const event of await reader.events()) timelines[Math.min(event.segment, timelines.length - 1)]?.add(event)
      return new Replay(file, config, player, reader.info.runId || 'replay', reader, timelines)
    } catch (error) {
      reader.close()
      const message = error instanceof Error ? error.message : String(error)
      if (message.startsWith('cannot replay')) throw error
      // A reader's message that names the file already says where.
      throw new Error(message.startsWith(`${file}: `) ? `cannot replay ${message}` : `cannot replay ${file}: ${message}`)
    }
  }

  get replay(): ReplayPlayer {
    return this.scheduler
  }

  /**
   * History of the segment being played, from the file: a batch by its summary where the builder takes
   * it, else by its frames; one batch a turn of the event loop, so telemetry goes on.
   */
  private async query(q: HistoryQuery): Promise<HistoryReply> {
    const seg = this.scheduler.segment
    const range = { ...q, fromNs: q.fromNs + seg.offsetNs, toNs: Math.min(q.toNs + seg.offsetNs, seg.endNs) }
    const builder = new HistoryBuilder(range, Math.floor((q.toNs - q.fromNs) / this.config.execution.dtNs) + 1, seg.offsetNs)
    if (range.toNs >= range.fromNs) {
      let summaries = 0
      for await (const m of this.reader.framePayloads({ fromNs: range.fromNs, toNs: range.toNs })) {
        const s = summaryOf(m.data)
        // A regular batch's last time follows from its summary; any other is read by its frames.
        if (s?.regular && s.segment === seg.index && builder.addSummary(m.logTimeNs, m.logTimeNs + (s.count - 1) * s.stepNs, s.count, m.logTimeNs - s.firstTimeNs, s.min, s.max)) {
          // A summary is a small fraction of a batch's work: a turn every 64 of them.
          if (++summaries % 64 === 0) await turn()
          continue
        }
        const b = decodeBatch(m.data, m.logTimeNs, q.columns, this.decodeScratch)
        if (b.segment === seg.index) builder.add(b)
        await turn()
      }
    }
    return builder.reply()
  }

  /** Stops playing and closes the file. */
  stop(): Promise<void> {
    return this.scheduler.stop()
  }
}
