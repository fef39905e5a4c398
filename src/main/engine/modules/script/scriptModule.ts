// A script module as the scheduler thread steps it: its worker is released with an atomic store and
// awaited by spinning while that pays (spin.ts), then sleeping on the acknowledgement word; no message is
// posted per frame.
import type { Worker } from 'node:worker_threads'
import type { ResolvedModule } from '../../config/types'
import { HEADER, type Backplane } from '../../backplane/backplane'
import { startWorker } from '../../threads'
import { startupTimeoutMs, type ModuleEnvironment } from '../environment'
import type { ModuleInstance, StepTime } from '../module'
import { AdaptiveWait, machineLoad, waitPolicy, type WaitCounters, type WaitOptions } from '../spin'
import { ACK_DEAD, Cmd, CMD_NAMES, F, ScriptControl, Status, W } from './control'
import type { ScriptWorkerData } from './scriptWorker'

/**
 * The longest the scheduler spins on the acknowledgement before it sleeps. A small step answers in well
 * under a microsecond when both threads spin; a futex wake-up costs 5 to 10 µs on each side.
 */
const SPIN_MS = 0.1
/** A terminate hook (flushing a file...) gets this long before the worker is stopped anyway. */
const TERMINATE_GRACE_MS = 2000

export class ScriptModule implements ModuleInstance {
  private readonly control = new ScriptControl()
  private readonly worker: Worker
  private readonly file: string
  private seq = 1
  private timeoutMs: number
  /** Set once the worker is gone or unusable; every later call fails with it. */
  private dead: string | null = null
  private readonly waiter: AdaptiveWait
  /** The acknowledgement being awaited, for `acknowledged` (a closure made once, not per step). */
  private awaited = 0
  private readonly acknowledged: () => boolean

  constructor(
    mod: ResolvedModule,
    backplane: Backplane,
    env: ModuleEnvironment,
    spinMs: number,
    wait: WaitOptions = {}
  ) {
    this.waiter = new AdaptiveWait(SPIN_MS, { load: machineLoad(), ...wait })
    this.acknowledged = () => Atomics.load(this.control.ints, W.ack) !== this.awaited
    this.file = mod.script ?? ''
    const signals = mod.signals.map((s) => {
      const slot = backplane.slot(s.qualified)
      if (slot === undefined) throw new Error(`module '${mod.name}' has no signal '${s.name}'`)
      return { name: s.name, slot, writable: s.writable }
    })
    const { ints } = this.control
    ints[W.request] = 1
    ints[W.command] = Cmd.Init
    const data: ScriptWorkerData = {
      mode: 'run',
      file: this.file,
      env,
      control: this.control.buffer,
      backplane: backplane.buffer,
      valuesOffset: HEADER.slots * 8,
      signals,
      spinMs,
      waitPolicy: waitPolicy()
    }
    this.worker = startWorker(__dirname, 'scriptWorker', { workerData: data, name: `hermes-script-${mod.name}` })
    // The worker's errors reach this thread's event loop, which does not run during a run: it reports through shared memory.
    this.worker.on('error', () => undefined)
    try {
      this.await(Cmd.Init, startupTimeoutMs(mod))
    } catch (error) {
      void this.worker.terminate()
      throw error
    }
    this.timeoutMs = mod.timeoutS * 1000
  }

  /** How the scheduler waited for this module's worker (spin.ts). */
  waitCounters(): Readonly<WaitCounters> {
    return this.waiter.counters
  }

  stage(): void {
    this.command(Cmd.Stage)
  }

  reset(): void {
    this.command(Cmd.Reset)
  }

  step(t: StepTime): void {
    const floats = this.control.floats
    floats[F.frame] = t.frame
    floats[F.timeNs] = t.timeNs
    floats[F.time] = t.time
    floats[F.dt] = t.dt
    this.command(Cmd.Step)
  }

  /** Runs the module's terminate hook (for a while at most) and ends the worker. Never throws. */
  terminate(): void {
    if (!this.dead) {
      try {
        this.timeoutMs = TERMINATE_GRACE_MS
        this.command(Cmd.Terminate)
      } catch {
        // Reported nowhere: the run is over. The worker is ended below either way.
      }
      this.dead = 'it was terminated'
    }
    void this.worker.terminate()
  }

  private command(command: Cmd): void {
    if (this.dead) throw new Error(`${this.name()} is not running: ${this.dead}`)
    const ints = this.control.ints
    ints[W.command] = command
    this.seq++
    Atomics.store(ints, W.request, this.seq)
    Atomics.notify(ints, W.request)
    this.await(command, this.timeoutMs)
  }

  private await(command: Cmd, timeoutMs: number): void {
    const ints = this.control.ints
    const expected = this.seq
    const previous = expected - 1
    let ack = Atomics.load(ints, W.ack)
    if (ack === previous) {
      this.awaited = previous
      if (!this.waiter.spin(this.acknowledged)) this.waiter.blocked()
      ack = Atomics.load(ints, W.ack)
      const deadline = performance.now() + timeoutMs
      while (ack === previous) {
        const left = deadline - performance.now()
        if (left <= 0) {
          this.dead = `did not finish ${CMD_NAMES[command]} within ${timeoutMs / 1000} s (timeout_s); its worker was stopped`
          // Ends the worker's JavaScript even inside an endless loop.
          void this.worker.terminate()
          throw new Error(`${this.name()} ${this.dead}`)
        }
        Atomics.wait(ints, W.ack, previous, left)
        ack = Atomics.load(ints, W.ack)
      }
    }
    const status = ints[W.status]
    if (ack === ACK_DEAD || status === Status.Exited) {
      this.dead = `${this.control.readMessage()} (during ${CMD_NAMES[command]})`
      throw new Error(`${this.name()}: ${this.dead}`)
    }
    if (status === Status.Failed) {
      const message = this.control.readMessage()
      if (command === Cmd.Init) {
        this.dead = 'its init failed'
        throw new Error(`${this.name()}: ${message}`)
      }
      throw new Error(`${this.name()} threw in ${CMD_NAMES[command]}: ${message}`)
    }
  }

  private name(): string {
    return this.file.split(/[/\\]/).pop() ?? this.file
  }
}
