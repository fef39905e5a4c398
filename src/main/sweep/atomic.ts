// Files written whole or not at all: a temporary file beside the target, then a rename.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes `data` to `file` atomically: a reader, or a process killed half-way, never sees part of it.
 * With `sync` (the default) the data reaches the disk before the rename, so that a power cut cannot
 * leave an empty file either; without it, a kill is still safe (the kernel keeps what was written).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, { sync = true } = {}): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
  const fd = openSync(temp, 'w')
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    if (sync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, file)
}

/** JSON whose non-finite numbers (NaN, Infinity) are written as null, which JSON has no words for. */
export function toJson(value: unknown, indent = 1): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent)
}
