// What the multi-process benchmarks' children share (spread.ts runs them): a server child's CPU and send
// loops between the parent's cpu-start and cpu-stop, and a client child's receipts between start and
// stop, each reported back over IPC in the shape spread.ts reads.
import { readFileSync } from 'node:fs'
import type { FromClients, ToClients } from './clientProcess'

export const sendToParent = (message: unknown): void => void process.send?.(message)

/** The wall clock at µs resolution, comparable across processes. */
export const wallMs = (): number => performance.timeOrigin + performance.now()

/**
 * CPU time of this process's main thread (ns; the kernel's schedstat, Linux): the event loop, where the
 * send path runs. process.cpuUsage adds the scheduler and module threads, whose work the rate sets.
 */
function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

/** A server child's measurement: `tick` is told of every send loop; cpu-start and cpu-stop frame it. */
export class ServerMeter {
  private measuring = false
  private sendMs: number[] = []
  private sent = 0
  private cpuStart = process.cpuUsage()
  private mainStart = mainThreadNs()
  private wallStart = process.hrtime.bigint()

  /** Listens for the parent's messages; `stop` ends the child. */
  constructor(stop: () => void) {
    process.on('message', (message: { kind: string }) => {
      if (message.kind === 'cpu-start') this.start()
      else if (message.kind === 'cpu-stop') this.report()
      else if (message.kind === 'stop') stop()
    })
  }

  /** One send loop: how long it took (ms) and how many client-frames it wrote. */
  tick(sendMs: number, sent: number): void {
    if (!this.measuring) return
    this.sendMs.push(sendMs)
    this.sent += sent
  }

  private start(): void {
    this.cpuStart = process.cpuUsage()
    this.mainStart = mainThreadNs()
    this.wallStart = process.hrtime.bigint()
    this.measuring = true
    this.sendMs = []
    this.sent = 0
  }

  private report(): void {
    this.measuring = false
    const cpu = process.cpuUsage(this.cpuStart)
    const wallUs = Number(process.hrtime.bigint() - this.wallStart) / 1000
    const sendMs = Float64Array.from(this.sendMs).sort()
    sendToParent({ kind: 'cpu', percent: ((cpu.user + cpu.system) / wallUs) * 100, cpuUs: cpu.user + cpu.system, mainUs: (mainThreadNs() - this.mainStart) / 1000, ticks: sendMs.length, sent: this.sent, sendMs })
  }
}

/**
 * A client child's receipts: each frame's number and receipt time, in preallocated arrays (the clients
 * add as little as they can to what they measure), sent back at stop with the process's CPU time.
 */
export class Receipts {
  private readonly frames: Float64Array
  private readonly at: Float64Array
  private readonly perClient: number[]
  private count = 0
  private measuring = false
  private cpuStart = process.cpuUsage()

  /** `close` drops the connections once the receipts are sent; the child exits soon after. */
  constructor(clients: number, private readonly capacity: number, close: () => void) {
    this.frames = new Float64Array(capacity)
    this.at = new Float64Array(capacity)
    this.perClient = new Array<number>(clients).fill(0)
    process.on('message', (message: ToClients) => {
      if (message.kind === 'start') {
        this.measuring = true
        this.cpuStart = process.cpuUsage()
        return
      }
      this.measuring = false
      const cpu = process.cpuUsage(this.cpuStart)
      const n = this.count
      sendToParent({ kind: 'receipts', frames: this.frames.slice(0, n), at: this.at.slice(0, n), perClient: this.perClient, cpuUs: cpu.user + cpu.system } satisfies FromClients)
      close()
      setTimeout(() => process.exit(0), 100)
    })
  }

  get active(): boolean {
    return this.measuring
  }

  /** Client `index` has just received frame `frame` whole. */
  record(index: number, frame: number): void {
    if (!this.measuring) return
    const now = wallMs()
    this.perClient[index]!++
    if (this.count < this.capacity) {
      this.frames[this.count] = frame
      this.at[this.count++] = now
    }
  }
}
