// CPU time of the calling thread (Linux: /proc/thread-self/stat), for the recorder's cost in the bench.
import { readFileSync } from 'node:fs'

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
