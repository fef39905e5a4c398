// The calling thread's CPU time (for the recorder's cost in the bench) and priority (the recorder yields
// to the frame loop), on Linux through /proc/thread-self.
import { readFileSync, readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

const TICK_MS = 10

/** User plus system time of this thread in ms (10 ms resolution), or null where /proc has no thread-self. */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return null
  }
}

/**
 * Lowers the calling thread's scheduling priority (Linux: a nice value is per thread, set through its
 * thread id), so that on a machine with few cores the threads it shares them with run first. False where
 * it cannot (no /proc/thread-self, or not allowed): the thread then runs at the process's priority.
 */
export function lowerThreadPriority(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isInteger(tid) || tid <= 0) return false
    setPriority(tid, Math.max(getPriority(tid), nice))
    return true
  } catch {
    return false
  }
}
