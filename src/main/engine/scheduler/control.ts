// Commands from the engine's thread to the scheduler thread through shared memory: the scheduler may be
// in a tight loop that never returns to its event loop, so a postMessage would wait; a ring does not.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { ProcessHandoff } from '../modules/process/moduleProcess'
import type { WaitCounters } from '../modules/spin'

/**
 * The largest `count` a step takes. A step runs frame by frame from the loop (commands act between its
 * frames), so the bound is not about blocking: it keeps a typo from meaning "forever" (1e9 frames is
 * 116 days at 100 Hz, beyond exact integer time at most rates anyway).
 */
export const MAX_STEP_COUNT = 1_000_000_000

export const Command = { Pause: 1, Resume: 2, Step: 3, Reset: 4, Set: 5, Snapshot: 6, Stop: 7, Restart: 8 } as const
export type Command = (typeof Command)[keyof typeof Command]

export type RunState = 'running' | 'paused' | 'ended'
export const RUN_STATES: readonly RunState[] = ['running', 'paused', 'ended']

const CAPACITY = 1024
// Int32 words: [0] commands written, [1] commands read, then per entry: kind, id.
const WRITTEN = 0
const READ = 1
const INTS_HEAD = 2

export interface CommandEntry {
  kind: Command
  id: number
  a: number
  b: number
}

/** Single producer (the engine thread), single consumer (the scheduler thread). */
export class CommandRing {
  readonly ints: Int32Array
  private readonly args: Float64Array

  constructor(readonly buffer: SharedArrayBuffer = CommandRing.allocate()) {
    this.ints = new Int32Array(buffer, 0, INTS_HEAD + CAPACITY * 2)
    this.args = new Float64Array(buffer, (INTS_HEAD + CAPACITY * 2) * 4, CAPACITY * 2)
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer((INTS_HEAD + CAPACITY * 2) * 4 + CAPACITY * 2 * 8)
  }

  /** False when the ring is full; the caller keeps the command and retries after a completion. */
  push(kind: Command, id: number, a = 0, b = 0): boolean {
    const written = Atomics.load(this.ints, WRITTEN)
    if (written - Atomics.load(this.ints, READ) >= CAPACITY) return false
    const at = written % CAPACITY
    this.ints[INTS_HEAD + at * 2] = kind
    this.ints[INTS_HEAD + at * 2 + 1] = id
    this.args[at * 2] = a
    this.args[at * 2 + 1] = b
    Atomics.store(this.ints, WRITTEN, written + 1)
    Atomics.notify(this.ints, WRITTEN)
    return true
  }

  /** Cheap enough to call once per frame: one atomic load. */
  pending(readSoFar: number): boolean {
    return Atomics.load(this.ints, WRITTEN) !== readSoFar
  }

  written(): number {
    return Atomics.load(this.ints, WRITTEN)
  }

  /** Reads entry number `n` (n < written) into `out`, without allocating. */
  read(n: number, out: CommandEntry): void {
    const at = n % CAPACITY
    out.kind = this.ints[INTS_HEAD + at * 2] as Command
    out.id = this.ints[INTS_HEAD + at * 2 + 1]!
    out.a = this.args[at * 2]!
    out.b = this.args[at * 2 + 1]!
  }

  markRead(n: number): void {
    Atomics.store(this.ints, READ, n)
  }

  /** Sleeps until a command arrives or `ms` pass. */
  waitForCommand(readSoFar: number, ms: number): void {
    Atomics.wait(this.ints, WRITTEN, readSoFar, ms)
  }
}

/** Messages from the scheduler thread to the engine thread. */
export type SchedulerMessage =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; frame: number; timeNs: number; state: RunState; stepped?: number }
  | { kind: 'rejected'; id: number; message: string }
  | { kind: 'state'; state: RunState; frame: number; timeNs: number; reason: StateReason }
  | { kind: 'fault'; module: string; message: string; frame: number; action: FaultAction }
  | { kind: 'stopped'; stats: LoopStats }
  | { kind: 'failed'; message: string }

/** Why the run state changed: a command, end_time, a module fault, or the restart of a faulted module. */
export type StateReason = 'command' | 'end_time' | 'fault' | 'restart'

/**
 * What a fault does (execution.on_module_error): pause the run; stop it (the run ends); or restart the
 * module, which the engine thread does, then resumes the run with a Restart command.
 */
export type FaultAction = 'pause' | 'stop' | 'restart'

/** A module restarts on a fault at most this often between resets; the next fault pauses the run. */
export const MAX_RESTARTS = 3

/** The engine thread to the scheduler thread, by message (read with receiveMessageOnPort before a Reset or Restart). */
export interface HandoffMessage {
  kind: 'handoffs'
  /** New processes of faulted process modules, by module name. */
  processes: Record<string, ProcessHandoff>
}

/**
 * The new processes waiting on a scheduler thread's port, posted before the Restart command: read
 * synchronously, since the thread's loop never returns to its event loop during a run.
 */
export function takeHandoffs(port: MessagePort): Record<string, ProcessHandoff> {
  const processes: Record<string, ProcessHandoff> = {}
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const message = m.message as HandoffMessage
    if (message.kind === 'handoffs') Object.assign(processes, message.processes)
  }
  return processes
}

export interface LoopStats {
  frames: number
  /** Realtime mode: how late frames started against the wall-clock schedule. */
  lateness: LatenessStats | null
  /** How the scheduler waited for each module on another thread or process, by module name (spin.ts). */
  waits: Record<string, WaitCounters>
}

export interface LatenessStats {
  samples: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Times the schedule was abandoned because the loop fell more than the catch-up limit behind. */
  rebases: number
  /** Wall-clock minus simulated time at end_time, in ms; null when the run did not reach an end_time. */
  endDriftMs: number | null
}
