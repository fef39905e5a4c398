// A running module process, owned by the engine thread: spawn, its HELO, its stderr, its exit, and stop.
// The scheduler thread does the per-frame I/O on the same pipes (processModule.ts); this side never
// touches them while a run is on, so an event loop is always free to see the process exit.
import { spawn, type ChildProcess } from 'node:child_process'
import { readSync } from 'node:fs'
import { logger } from '../../log'
import type { ModuleDeclaration } from '../declaration'
import { appendTail, ChildStatus, quoteStderr, sharedNow, StderrLines } from './childStatus'
import { closeQuietly, openModulePipes, type ModulePipes } from './pipes'
import { badReplyHeader, HEADER_BYTES, HELO, parseHello } from './protocol'
import type { ProcessSpec } from './spec'

/** What the scheduler thread gets to step the process: plain data and shared memory, posted with the config. */
export interface ProcessHandoff {
  spec: ProcessSpec
  pid: number
  request: number
  reply: number
  replyBlocking: number
  status: SharedArrayBuffer
}

const STDERR_TAIL_CHARS = 8192
/** After the process exits, how long its last stderr bytes may take to arrive before the exit is published. */
const STDERR_DRAIN_MS = 200

/**
 * Process groups of this engine's modules until they are stopped, killed if the engine exits without
 * stopping them. Each module leads its own group (spawned detached), so a kill of the group reaches
 * whatever it started as well: no descendant outlives the engine (unless it leaves the group itself).
 */
const live = new Set<number>()
let exitHookInstalled = false

function track(pid: number): void {
  live.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const group of live) killGroup(group)
  })
}

/** SIGKILL to the whole process group led by `pid`; a group already gone is not an error. */
export function killGroup(pid: number): void {
  if (pid <= 0) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // No process left in the group.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** True when `promise` settles within `ms`; its timer does not keep the engine alive after that. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export class ModuleProcess {
  readonly status = new ChildStatus()
  private stderrTail = ''
  private exitedAt: Promise<void>
  private stopping: Promise<void> | null = null
  private declared: ModuleDeclaration | null = null

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
    private readonly pipes: ModulePipes
  ) {
    const log = logger(`module ${spec.name}`)
    const lines = new StderrLines((line) => log.info(line))
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      // Bounded work per chunk, whatever its size or the length of the line it belongs to.
      this.stderrTail = appendTail(this.stderrTail, chunk, STDERR_TAIL_CHARS)
      this.status.setStderrTail(this.stderrTail)
      lines.push(chunk)
    })
    const stderrEnded = new Promise<void>((resolve) => {
      if (!child.stderr) return resolve()
      child.stderr.once('end', resolve)
      child.stderr.once('error', () => resolve())
    })
    this.exitedAt = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // What it started may still hold its stdout, and the scheduler thread waits on that pipe for a
        // reply: ending the group ends them, the pipe closes, and the scheduler reads end of file.
        if (child.pid !== undefined) killGroup(child.pid)
        // The last lines of stderr (a traceback) usually arrive just after the exit itself.
        void within(stderrEnded, STDERR_DRAIN_MS).then(() => {
          lines.flush()
          this.status.setExited(code, signal)
          resolve()
        })
      })
    })
  }

  /** Starts the program and reads its HELO; throws a message naming the program and what went wrong. */
  static async start(spec: ProcessSpec): Promise<ModuleProcess> {
    const pipes = openModulePipes()
    let child: ChildProcess
    try {
      // detached: its own process group, so a Ctrl+C in the terminal reaches the engine, which stops it in order.
      child = spawn(spec.command, spec.args, { stdio: [pipes.childStdin, pipes.childStdout, 'pipe'], env: spec.env, detached: true })
    } finally {
      closeQuietly(pipes.childStdin)
      closeQuietly(pipes.childStdout)
    }
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve))
      for (const fd of [pipes.request, pipes.reply, pipes.replyBlocking]) closeQuietly(fd)
      const code = (error as NodeJS.ErrnoException).code
      const hint = code === 'ENOENT' && spec.command === 'python3' ? ' (python3 is not on PATH; set HERMES_PYTHON to an interpreter)' : ''
      throw new Error(`cannot start ${spec.display}: ${spec.command}: ${code === 'ENOENT' ? 'not found' : error.message}${hint}`)
    }
    track(child.pid)
    const proc = new ModuleProcess(spec, child, pipes)
    try {
      proc.declared = await proc.readHello()
    } catch (error) {
      await proc.stop(0)
      throw error
    }
    return proc
  }

  /** Resolves once the process has exited and its exit is published (after its last stderr). */
  get exited(): Promise<void> {
    return this.exitedAt
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  get declaration(): ModuleDeclaration {
    if (!this.declared) throw new Error(`module '${this.spec.name}' has not said hello`)
    return this.declared
  }

  handoff(): ProcessHandoff {
    return { spec: this.spec, pid: this.pid, request: this.pipes.request, reply: this.pipes.reply, replyBlocking: this.pipes.replyBlocking, status: this.status.buffer }
  }

  /** Watchdog tick: kills the process when the scheduler has waited on it for longer than its timeout. */
  watch(now = sharedNow()): void {
    if (!this.stopping && this.status.overdue(now)) {
      this.status.markTimedOut()
      this.kill()
    }
  }

  /** Kills the module and everything in its process group, even once the module itself has exited. */
  kill(): void {
    killGroup(this.pid)
  }

  /**
   * Ends the process and releases its pipes; only once the scheduler thread no longer uses them. The
   * module reads end of file on stdin (after the TERM the scheduler sent, if it could), has `graceMs`
   * to exit, and is killed after that. Safe to call twice.
   */
  stop(graceMs = 2000): Promise<void> {
    this.stopping ??= (async () => {
      closeQuietly(this.pipes.request)
      if (!(await within(this.exitedAt, graceMs))) {
        this.kill()
        await this.exitedAt
      }
      closeQuietly(this.pipes.reply)
      closeQuietly(this.pipes.replyBlocking)
      killGroup(this.pid)
      live.delete(this.pid)
    })()
    return this.stopping
  }

  /** Polls the non-blocking reply pipe: this thread's event loop must stay free meanwhile. */
  private async readHello(): Promise<ModuleDeclaration> {
    const deadline = Date.now() + this.spec.startupTimeoutMs
    const header = Buffer.alloc(HEADER_BYTES)
    await this.readExactly(header, deadline)
    const bad = badReplyHeader(header, [HELO])
    if (bad) throw new Error(`${this.spec.display} did not start with a HELO: ${bad}${await this.stderrAfterKill()}`)
    const payload = Buffer.alloc(header.readUInt32LE(4))
    await this.readExactly(payload, deadline)
    try {
      return parseHello(payload)
    } catch (error) {
      throw new Error(`${this.spec.display}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private async readExactly(buffer: Buffer, deadline: number): Promise<void> {
    let got = 0
    let pause = 1
    while (got < buffer.length) {
      let n: number
      try {
        n = readSync(this.pipes.reply, buffer, got, buffer.length - got, null)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
        n = -1
      }
      if (n > 0) {
        got += n
        continue
      }
      if (n === 0) {
        await this.exitedAt
        throw new Error(`${this.spec.display} ${this.status.describeExit()} before its HELO${quoteStderr(this.stderrTail)}`)
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.spec.display} sent no HELO within ${this.spec.startupTimeoutMs / 1000} s${await this.stderrAfterKill()}`)
      }
      await sleep(pause)
      pause = Math.min(pause * 2, 20)
    }
  }

  private async stderrAfterKill(): Promise<string> {
    this.kill()
    await this.exitedAt
    return quoteStderr(this.stderrTail)
  }
}
