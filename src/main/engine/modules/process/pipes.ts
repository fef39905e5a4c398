// A module process's standard input and output as plain file descriptors, made from two FIFOs.
// libuv's own child pipes belong to the event loop of the thread that spawned them, and the scheduler
// thread must read and write synchronously, so the engine makes its own pipes (Node has no pipe(2)).
import { spawnSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ModulePipes {
  /** The engine's end of the module's stdin; non-blocking. Opened read-write so that opening never waits. */
  request: number
  /** The engine's end of the module's stdout, non-blocking: the scheduler spins on it first. */
  reply: number
  /** The same pipe, blocking: the scheduler sleeps in it when spinning was not enough. */
  replyBlocking: number
  /** The module's ends, handed to spawn and closed in the engine right after. */
  childStdin: number
  childStdout: number
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Already closed: nothing to release.
  }
}

/**
 * The module's ends are blocking, as a program expects its stdin and stdout to be. Only the module
 * holds a writer on its stdout once the engine has closed `childStdout`, so the engine reads end of
 * file when it exits; and the module reads end of file on stdin when the engine closes `request`, or
 * dies, however it dies.
 */
export function openModulePipes(): ModulePipes {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-module-'))
  const stdin = join(dir, 'stdin')
  const stdout = join(dir, 'stdout')
  const opened: number[] = []
  const open = (path: string, flags: number): number => {
    const fd = openSync(path, flags)
    opened.push(fd)
    return fd
  }
  try {
    const made = spawnSync('mkfifo', ['-m', '600', stdin, stdout], { encoding: 'utf8' })
    if (made.status !== 0) throw new Error(`cannot make the module's pipes: mkfifo ${made.error ? made.error.message : made.stderr.trim()}`)
    const { O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK } = constants
    // Order matters: a FIFO opened blocking for one direction waits until the other direction is open.
    const request = open(stdin, O_RDWR | O_NONBLOCK)
    const childStdin = open(stdin, O_RDONLY)
    const reply = open(stdout, O_RDONLY | O_NONBLOCK)
    const childStdout = open(stdout, O_WRONLY)
    const replyBlocking = open(stdout, O_RDONLY)
    return { request, reply, replyBlocking, childStdin, childStdout }
  } catch (error) {
    for (const fd of opened) closeQuietly(fd)
    throw error
  } finally {
    // The open descriptors keep the pipes alive; the names are not needed any more.
    rmSync(dir, { recursive: true, force: true })
  }
}
