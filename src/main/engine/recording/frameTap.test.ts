import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { FrameTap, type BatchMessage } from './frameTap'

const CAPACITY = 4
const SIGNALS = 3
const ports: MessagePort[] = []

afterEach(() => {
  for (const p of ports.splice(0)) p.close()
})

/** A tap over slots 0..2 of `values`, and the recorder's end of its port, which sees every batch. */
function tapWithRecorder(): { tap: FrameTap; values: Float64Array; batches: BatchMessage[]; recorder: MessagePort } {
  const { port1, port2 } = new MessageChannel()
  ports.push(port1, port2)
  const control = new SharedArrayBuffer(8)
  const tap = new FrameTap({ port: port2, slots: [0, 1, 2], capacity: CAPACITY, control, dtNs: 1e6 })
  const batches: BatchMessage[] = []
  port1.on('message', (m: BatchMessage) => batches.push(m))
  return { tap, values: new Float64Array(new SharedArrayBuffer(8 * SIGNALS)), batches, recorder: port1 }
}

const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10))

function capture(tap: FrameTap, values: Float64Array, from: number, count: number): void {
  for (let f = from; f < from + count; f++) {
    values.set([f, 10 * f, 100 * f])
    tap.capture(f, f * 1e6, values)
  }
}

describe('FrameTap', () => {
  it('hands batches over on shared memory, not by transfer, with every frame in order', async () => {
    const { tap, values, batches } = tapWithRecorder()
    capture(tap, values, 0, 2 * CAPACITY)
    await turn()
    expect(batches).toHaveLength(2)
    for (const [b, batch] of batches.entries()) {
      // A transfer would detach the buffer in the scheduler thread (and slow that thread's typed arrays).
      expect(batch.data.buffer).toBeInstanceOf(SharedArrayBuffer)
      expect(batch.count).toBe(CAPACITY)
      for (let k = 0; k < CAPACITY; k++) {
        const f = b * CAPACITY + k
        expect(Array.from(batch.data.subarray(k * (SIGNALS + 2), (k + 1) * (SIGNALS + 2)))).toEqual([f, f * 1e6, f, 10 * f, 100 * f])
      }
    }
  })

  it('reuses a buffer the recorder hands back instead of making a new one', async () => {
    const { tap, values, batches, recorder } = tapWithRecorder()
    capture(tap, values, 0, CAPACITY)
    await turn()
    // The recorder marks the buffer's last value and hands it back, as recorderCore does after encoding.
    const first = batches[0]!.data
    first[first.length - 1] = -42
    recorder.postMessage(first)
    await turn()
    // The next full batch takes the returned buffer back in; the one after is written into it.
    capture(tap, values, CAPACITY, CAPACITY)
    capture(tap, values, 2 * CAPACITY, 1)
    tap.flush()
    await turn()
    expect(batches).toHaveLength(3)
    const reused = batches[2]!
    expect(reused.count).toBe(1)
    expect(Array.from(reused.data.subarray(0, SIGNALS + 2))).toEqual([8, 8e6, 8, 80, 800])
    // Only a row the tap did not write still holds the recorder's mark: the same memory came back.
    expect(reused.data[reused.data.length - 1]).toBe(-42)
    expect(batches[1]!.data[batches[1]!.data.length - 1]).not.toBe(-42)
  })
})
