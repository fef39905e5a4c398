// Entry of a script module's worker thread: loads the user's file, then runs each command the scheduler
// releases through shared memory, on the backplane directly. `describe` mode only reports the declaration.
import { writeSync } from 'node:fs'
import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { parentPort, workerData } from 'node:worker_threads'
import type { ModuleContext, ModuleDefinition, Signal, StepTime } from '../../../../shared/module/defineModule'
import { boundLogText, logLevelEnabled } from '../../logBounds'
import { parseDeclaration } from '../declaration'
import type { ModuleEnvironment } from '../environment'
import { AdaptiveWait, ProcLoad, type WaitPolicy } from '../spin'
import { ACK_DEAD, Cmd, F, ScriptControl, Status, W } from './control'
import { describeError, loadScript } from './loadScript'

export interface ScriptSignal {
  name: string
  slot: number
  writable: boolean
}

export type ScriptWorkerData =
  | { mode: 'describe'; file: string }
  | {
      mode: 'run'
      file: string
      env: ModuleEnvironment
      control: SharedArrayBuffer
      backplane: SharedArrayBuffer
      valuesOffset: number
      signals: ScriptSignal[]
      /** How long to spin for the next request after a step (0 when the cores are all taken: spin.ts). */
      spinMs: number
      /** The engine's HERMES_WAIT, since a worker's environment may differ. */
      waitPolicy?: WaitPolicy
    }

export type DescribeReply = { ok: true; signals: unknown } | { ok: false; message: string }

/**
 * After spinning, the worker sleeps in Atomics.wait, which wakes fastest, for this long at most; then it
 * waits asynchronously, so that its event loop runs (the module's timers) while the run is paused or slow.
 */
const SYNC_WAIT_MS = 1

type WaitAsync = (ints: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> }
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync

/** The scheduler thread never returns to its event loop during a run, so console output cannot go through it. */
function directConsole(name: string): Console {
  const sink = (enabled: boolean): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (enabled) {
          // Bounded like every logged message: a megabyte console.error costs a few kilobytes on stderr.
          const text = boundLogText(chunk.toString('utf8').replace(/\n$/, ''))
          writeSync(2, `${text.split('\n').map((line) => `[${name}] ${line}`).join('\n')}\n`)
        }
        done()
      }
    })
  return new Console({ stdout: sink(logLevelEnabled('info')), stderr: sink(logLevelEnabled('warn')) })
}

class SlotSignal implements Signal {
  constructor(
    readonly name: string,
    readonly writable: boolean,
    private readonly values: Float64Array,
    private readonly slot: number
  ) {}

  get value(): number {
    return this.values[this.slot]!
  }

  set value(v: number) {
    this.values[this.slot] = v
  }
}

function context(data: Extract<ScriptWorkerData, { mode: 'run' }>): ModuleContext {
  const values = new Float64Array(data.backplane, data.valuesOffset)
  const handles = new Map(data.signals.map((s) => [s.name, new SlotSignal(s.name, s.writable, values, s.slot)]))
  const names = data.signals.map((s) => s.name)
  const { env } = data
  return Object.freeze({
    name: env.name,
    configPath: env.configPath,
    configFile: env.configFile,
    rateHz: env.rateHz,
    options: env.options,
    signalNames: names,
    signal(name: string): Signal {
      const handle = handles.get(name)
      if (!handle) throw new Error(`module '${env.name}' has no signal '${name}'; it has: ${names.join(', ')}`)
      return handle
    }
  })
}

async function describe(file: string): Promise<void> {
  let reply: DescribeReply
  try {
    reply = { ok: true, signals: (await loadScript(file)).signals ?? [] }
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply)
}

async function run(data: Extract<ScriptWorkerData, { mode: 'run' }>): Promise<void> {
  const control = new ScriptControl(data.control)
  const { ints, floats } = control
  let finished = false
  const die = (message: string): void => {
    if (finished) return
    finished = true
    control.writeMessage(message)
    ints[W.status] = Status.Exited
    Atomics.store(ints, W.ack, ACK_DEAD)
    Atomics.notify(ints, W.ack)
  }
  process.on('exit', (code) => die(`its worker exited with code ${code}`))
  process.on('uncaughtException', (error) => {
    die(`its worker failed outside a hook: ${describeError(error, data.file)}`)
    process.exit(1)
  })
  globalThis.console = directConsole(data.env.name)

  let definition: ModuleDefinition
  let ctx: ModuleContext
  let status: number = Status.Ok
  try {
    definition = await loadScript(data.file)
    const declared = parseDeclaration(definition.signals).signals.map((s) => s.name)
    const missing = declared.filter((n) => !data.signals.some((s) => s.name === n))
    if (missing.length > 0) {
      throw new Error(
        `it declares ${missing.map((n) => `'${n}'`).join(', ')}, which the configuration does not have (it was loaded without asking its modules, or the script changed since): reload it, or list them in the YAML`
      )
    }
    ctx = context(data)
    await definition.init?.(ctx)
  } catch (error) {
    control.writeMessage(error instanceof Error && !(error.stack ?? '').includes(data.file) ? error.message : describeError(error, data.file))
    ints[W.status] = Status.Failed
    Atomics.store(ints, W.ack, 1)
    Atomics.notify(ints, W.ack)
    finished = true
    return
  }
  const time = { frame: 0, timeNs: 0, time: 0, dt: 0 }
  const stepTime: StepTime = time
  const step = definition.step.bind(definition)
  const restart = (reset: boolean): unknown => (reset && definition.reset ? definition.reset(ctx) : definition.stage?.(ctx))

  ints[W.status] = Status.Ok
  Atomics.store(ints, W.ack, 1)
  Atomics.notify(ints, W.ack)
  // A pending Atomics.waitAsync does not keep a thread alive; this does, until terminate.
  const keepAlive = setInterval(() => undefined, 2 ** 30)
  let last = 1
  // Spinning: in afap the next request comes within microseconds, and waking from a sleep costs more; but
  // only while it does come that fast and a core is free (spin.ts).
  const waiter = new AdaptiveWait(data.spinMs, { load: new ProcLoad(), policy: data.waitPolicy })
  const requested = (): boolean => Atomics.load(ints, W.request) !== last
  for (;;) {
    let request = Atomics.load(ints, W.request)
    if (request === last) {
      waiter.spin(requested)
      request = Atomics.load(ints, W.request)
      if (request === last) {
        waiter.blocked()
        Atomics.wait(ints, W.request, last, SYNC_WAIT_MS)
        request = Atomics.load(ints, W.request)
      }
      while (request === last) {
        const wait = waitAsync(ints, W.request, last)
        if (wait.async) await wait.value
        request = Atomics.load(ints, W.request)
      }
    }
    last = request
    const command = ints[W.command]
    status = Status.Ok
    try {
      if (command === Cmd.Step) {
        time.frame = floats[F.frame]!
        time.timeNs = floats[F.timeNs]!
        time.time = floats[F.time]!
        time.dt = floats[F.dt]!
        const result: unknown = step(stepTime, ctx)
        if (result instanceof Promise) throw new Error('step returned a Promise: step must be synchronous')
      } else if (command === Cmd.Stage || command === Cmd.Reset) {
        await restart(command === Cmd.Reset)
      } else if (command === Cmd.Terminate) {
        finished = true
        await definition.terminate?.(ctx)
      }
    } catch (error) {
      status = Status.Failed
      control.writeMessage(describeError(error, data.file))
    }
    ints[W.status] = status
    Atomics.store(ints, W.ack, request)
    Atomics.notify(ints, W.ack)
    if (command === Cmd.Terminate) {
      clearInterval(keepAlive)
      return
    }
  }
}

const data = workerData as ScriptWorkerData
if (data.mode === 'describe') void describe(data.file)
else void run(data)
