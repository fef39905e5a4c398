// The shared-memory handshake between the scheduler thread and a script module's worker: one request
// and one acknowledgement counter, the command, the step's time, and room for an error message.

/** Int32 words. */
export const W = { request: 0, ack: 1, command: 2, status: 3, messageBytes: 4 } as const
/** Float64 slots: the time of the step being requested. */
export const F = { frame: 4, timeNs: 5, time: 6, dt: 7 } as const

export const Cmd = { Init: 1, Stage: 2, Step: 3, Reset: 4, Terminate: 5 } as const
export type Cmd = (typeof Cmd)[keyof typeof Cmd]
export const CMD_NAMES: Record<number, string> = { 1: 'init', 2: 'stage', 3: 'step', 4: 'reset', 5: 'terminate' }

export const Status = { Ok: 0, Failed: 1, Exited: 2 } as const

/** Written to `ack` by a worker that is gone: every wait, present and future, ends at once. */
export const ACK_DEAD = -1

const MESSAGE_AT = 64
const MESSAGE_BYTES = 16 * 1024

export class ScriptControl {
  readonly ints: Int32Array
  readonly floats: Float64Array
  private readonly text: Uint8Array

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MESSAGE_AT + MESSAGE_BYTES)) {
    this.ints = new Int32Array(buffer, 0, 8)
    this.floats = new Float64Array(buffer, 0, 8)
    this.text = new Uint8Array(buffer, MESSAGE_AT, MESSAGE_BYTES)
  }

  writeMessage(message: string): void {
    const bytes = new TextEncoder().encode(message)
    const length = Math.min(bytes.length, this.text.length)
    this.text.set(bytes.subarray(0, length))
    this.ints[W.messageBytes] = length
  }

  readMessage(): string {
    return new TextDecoder().decode(this.text.slice(0, this.ints[W.messageBytes]))
  }
}
