// A client's subscription, and the per-tick encoder that encodes each distinct subscription once, as a
// complete WebSocket frame that every client with that subscription is sent as it is.
import { expandPatterns } from '../../../shared/protocol/patterns'
import { hertByteLength, writeHert } from '../../../shared/protocol/hert'
import type { TelemetryEncoding, TelemetryJsonMessage } from '../../../shared/protocol/messages'
import type { Snapshot } from '../scheduler/scheduler'
import { PING_FRAME, wireFrame } from './wireFrame'

/** One subscription's frame at one tick: the message (JSON text or HERT bytes) and its WebSocket frame. */
export class EncodedFrame {
  private withPing: Buffer | null = null

  /** `wire`: header and payload, ready for the socket, byte for byte what ws would send for `payload`. */
  constructor(
    readonly payload: Buffer | string,
    readonly wire: Buffer
  ) {}

  /**
   * The frame and a ping after it, for the clients whose lag probe is due: one buffer, so that each
   * client still costs one socket write, without corking the socket around two (built once a tick).
   */
  get pinged(): Buffer {
    return (this.withPing ??= Buffer.concat([this.wire, PING_FRAME]))
  }
}

export class Subscription {
  /** Identical subscriptions share a key, and so share one encoded frame per tick. */
  readonly key: string

  constructor(
    readonly patterns: readonly string[],
    readonly names: readonly string[],
    readonly slots: Int32Array,
    readonly encoding: TelemetryEncoding
  ) {
    this.key = `${encoding}:${slots.join(',')}`
  }

  /** Expands seed 000 patterns against the published names; `slotOf` maps a name to its backplane slot. */
  static resolve(patterns: readonly string[], published: readonly string[], slotOf: (name: string) => number | undefined, encoding: TelemetryEncoding): Subscription {
    const names = expandPatterns(patterns, published)
    return new Subscription(patterns, names, Int32Array.from(names, (n) => slotOf(n) ?? -1), encoding)
  }

  get frameBytes(): number {
    return hertByteLength(this.names.length)
  }
}

/** Encodes against one snapshot; cleared every tick. */
export class TickEncoder {
  private readonly cache = new Map<string, EncodedFrame>()
  private snapshot: Snapshot | null = null

  /** Ticks so far: two ticks may carry the same frame (a paused or slow run), so encodings are counted per tick. */
  private tick = 0

  /** `onEncode` hears of every encoding actually made (not of cache hits), with the tick it was made for. */
  constructor(private readonly onEncode?: (tick: number, key: string) => void) {}

  reset(snapshot: Snapshot): void {
    this.cache.clear()
    this.snapshot = snapshot
    this.tick++
  }

  encode(sub: Subscription): EncodedFrame {
    const cached = this.cache.get(sub.key)
    if (cached !== undefined) return cached
    const snap = this.snapshot
    if (!snap) throw new Error('TickEncoder.encode before reset')
    const payload = sub.encoding === 'json' ? encodeJson(sub, snap) : encodeBinary(sub, snap)
    const encoded = new EncodedFrame(payload, wireFrame(payload))
    this.cache.set(sub.key, encoded)
    this.onEncode?.(this.tick, sub.key)
    return encoded
  }
}

function encodeBinary(sub: Subscription, snap: Snapshot): Buffer {
  const count = sub.slots.length
  const bytes = Buffer.allocUnsafeSlow(hertByteLength(count))
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) values[i] = snap.values[sub.slots[i]!]!
  writeHert(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), snap.frame, snap.timeNs / 1e9, values)
  return bytes
}

function encodeJson(sub: Subscription, snap: Snapshot): string {
  // JSON has no NaN or Infinity: they travel as null.
  const values = Array.from(sub.slots, (slot) => {
    const v = snap.values[slot]!
    return Number.isFinite(v) ? v : null
  })
  const message: TelemetryJsonMessage = { type: 'telemetry', frame: snap.frame, time: snap.timeNs / 1e9, values }
  return JSON.stringify(message)
}
