// Reads a recording: its run, signals, events and frames by time range, through the MCAP index when the
// file was closed, or by one pass over its records when the recorder was killed (no index was written).
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { McapIndexedReader, McapStreamReader, type McapTypes } from '@mcap/core'
import { loadZstd, zstd } from './compression'
import { CONFIG_ATTACHMENT, decodeBatch, EVENTS_TOPIC, FRAMES_TOPIC, RUN_METADATA, runInfoFromMetadata, type FrameBatch, type StoredEvent, type RecordedSignal, type RunInfo } from './format'

const decompressHandlers = { zstd: (data: Uint8Array, size: bigint): Uint8Array => zstd().decompress(data, Number(size)) }
const SCAN_BLOCK = 4 * 1024 * 1024

export interface TimeRange {
  /**
   * On the recording clock, in ns, inclusive: simulated time, continued across resets (the same as
   * simulated time in a run without a reset); undefined: from the start / to the end.
   */
  fromNs?: number
  toNs?: number
}

type Record = McapTypes.TypedMcapRecord

export class RecordingReader {
  private constructor(
    readonly file: string,
    readonly bytes: number,
    readonly info: RunInfo,
    readonly signals: RecordedSignal[],
    readonly configText: string,
    /** Null for a file without an index (its recorder was killed): reads scan it. */
    private readonly indexed: McapIndexedReader | null,
    private readonly fd: number
  ) {}

  /** False when the recorder did not close the file (killed): everything up to the cut is still read. */
  get complete(): boolean {
    return this.indexed !== null
  }

  static async open(file: string): Promise<RecordingReader> {
    // A file may hold zstd chunks or zstd frame groups, whatever codec this engine records with now.
    await loadZstd()
    const fd = openSync(file, 'r')
    try {
      const size = statSync(file).size
      const readable = {
        size: () => Promise.resolve(BigInt(size)),
        read: (offset: bigint, length: bigint) => {
          const out = new Uint8Array(Number(length))
          readSync(fd, out, 0, out.length, Number(offset))
          return Promise.resolve(out)
        }
      }
      let indexed: McapIndexedReader | null = null
      try {
        indexed = await McapIndexedReader.Initialize({ readable, decompressHandlers })
      } catch {
        indexed = null
      }
      let metadata: ReadonlyMap<string, string> | null = null
      let signals: RecordedSignal[] | null = null
      let configText = ''
      if (indexed) {
        for await (const m of indexed.readMetadata({ name: RUN_METADATA })) metadata = m.metadata
        for await (const a of indexed.readAttachments({ name: CONFIG_ATTACHMENT })) configText = new TextDecoder().decode(a.data)
        for (const schema of indexed.schemasById.values()) if (schema.name === 'hermes.frames.v1') signals = parseSignals(schema.data)
      } else {
        // The header records come first: the scan stops once it has them.
        scan(fd, size, (r) => {
          if (r.type === 'Metadata' && r.name === RUN_METADATA) metadata = r.metadata
          else if (r.type === 'Attachment' && r.name === CONFIG_ATTACHMENT) configText = new TextDecoder().decode(r.data)
          else if (r.type === 'Schema' && r.name === 'hermes.frames.v1') signals = parseSignals(r.data)
          return metadata === null || signals === null || configText === ''
        })
      }
      if (!metadata || !signals) throw new Error(`${file} is not a Hermes recording (no ${RUN_METADATA} metadata or frames schema)`)
      return new RecordingReader(file, size, runInfoFromMetadata(metadata), signals, configText, indexed, fd)
    } catch (error) {
      closeSync(fd)
      throw error
    }
  }

  close(): void {
    closeSync(this.fd)
  }

  /**
   * Frame batches overlapping the range, in file order (a batch may hold frames outside it: filter by
   * timesNs). `only`: the signal columns to decode (the others are left zero), default all.
   */
  async *batches(range: TimeRange = {}, only?: readonly number[]): AsyncGenerator<FrameBatch> {
    const from = range.fromNs ?? 0
    const to = range.toNs ?? Number.MAX_SAFE_INTEGER
    for await (const m of this.framePayloads(range)) {
      const b = decodeBatch(m.data, m.logTimeNs, only)
      if (b.timesNs.length > 0 && b.timesNs[0]! + b.offsetNs <= to && b.timesNs[b.timesNs.length - 1]! + b.offsetNs >= from) yield b
    }
  }

  /**
   * The frame batches' payloads, undecoded, in file order, that may overlap the range (a few around it
   * may not): for a reader that takes a batch by its summary where it can (history).
   */
  async *framePayloads(range: TimeRange = {}): AsyncGenerator<{ data: Uint8Array; logTimeNs: number }> {
    const from = range.fromNs ?? 0
    const to = range.toNs ?? Number.MAX_SAFE_INTEGER
    if (this.indexed) {
      // A batch is indexed by its first frame's time, so one that starts before `from` may still reach into it.
      const startTime = BigInt(Math.max(0, Math.floor(from - this.info.batchSpanNs)))
      const endTime = BigInt(Math.floor(Math.min(to, Number.MAX_SAFE_INTEGER)))
      let lastNs = -1
      try {
        for await (const m of this.indexed.readMessages({ topics: [FRAMES_TOPIC], startTime, endTime })) {
          lastNs = Number(m.logTime)
          yield { data: m.data, logTimeNs: lastNs }
        }
      } catch (error) {
        // The library says what is wrong with the chunk (a CRC, a length), not in which file or where: the
        // damaged batch is the first one after the last that read (each batch is its own chunk).
        const next = (this.frameBatchStarts() ?? []).find((t) => t > lastNs && t >= Number(startTime))
        const where = next === undefined ? `after ${(lastNs / 1e9).toFixed(3)} s` : `at ${(next / 1e9).toFixed(3)} s`
        throw new Error(`${this.file}: the frame batch ${where} (recording clock) is damaged: ${error instanceof Error ? error.message : String(error)}`)
      }
      return
    }
    const channels = new Map<number, string>()
    const found: { data: Uint8Array; logTimeNs: number }[] = []
    scan(this.fd, this.bytes, (r) => {
      if (r.type === 'Channel') channels.set(r.id, r.topic)
      else if (r.type === 'Message' && channels.get(r.channelId) === FRAMES_TOPIC && Number(r.logTime) <= to) found.push({ data: r.data, logTimeNs: Number(r.logTime) })
      return true
    })
    yield* found
  }

  /**
   * The recording clock of each frame batch's first frame, ascending, from the index alone (each batch is
   * its own chunk): what a replay searches segment starts in. Null without an index.
   */
  frameBatchStarts(): number[] | null {
    if (!this.indexed) return null
    const frames = [...this.indexed.channelsById.values()].filter((c) => c.topic === FRAMES_TOPIC).map((c) => c.id)
    return this.indexed.chunkIndexes
      .filter((c) => frames.some((id) => c.messageIndexOffsets.has(id)))
      .map((c) => Number(c.messageStartTime))
      .sort((a, b) => a - b)
  }

  /** In the order they happened (a reset's events have earlier times than what came before it). */
  async events(): Promise<StoredEvent[]> {
    const out: { sequence: number; event: StoredEvent }[] = []
    const decode = (data: Uint8Array, sequence: number): void => void out.push({ sequence, event: JSON.parse(new TextDecoder().decode(data)) as StoredEvent })
    const ordered = (): StoredEvent[] => out.sort((a, b) => a.sequence - b.sequence).map((e) => e.event)
    if (this.indexed) {
      for await (const m of this.indexed.readMessages({ topics: [EVENTS_TOPIC] })) decode(m.data, m.sequence)
      return ordered()
    }
    const channels = new Map<number, string>()
    scan(this.fd, this.bytes, (r) => {
      if (r.type === 'Channel') channels.set(r.id, r.topic)
      else if (r.type === 'Message' && channels.get(r.channelId) === EVENTS_TOPIC) decode(r.data, r.sequence)
      return true
    })
    return ordered()
  }
}

function parseSignals(data: Uint8Array): RecordedSignal[] {
  const parsed = JSON.parse(new TextDecoder().decode(data)) as { signals?: RecordedSignal[] }
  if (!Array.isArray(parsed.signals)) throw new Error('the frames schema lists no signals')
  return parsed.signals
}

/**
 * Every whole record from the start, in blocks (memory: one block plus a chunk); a record cut by the
 * end of the file (a killed recorder) ends the scan. `visit` returns false to stop early.
 */
function scan(fd: number, size: number, visit: (record: Record) => boolean): void {
  const reader = new McapStreamReader({ decompressHandlers })
  const block = new Uint8Array(SCAN_BLOCK)
  for (let offset = 0; offset < size; ) {
    const n = readSync(fd, block, 0, block.length, offset)
    if (n <= 0) return
    offset += n
    reader.append(block.subarray(0, n))
    try {
      for (let r = reader.nextRecord(); r; r = reader.nextRecord()) if (!visit(r)) return
    } catch {
      // A record cut short or damaged at the end of a killed recording: what came before it stands.
      return
    }
  }
}
