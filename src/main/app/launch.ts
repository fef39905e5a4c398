// Which configuration the app opens at launch: a YAML path among the arguments, else the built-in demo.
import { resolve } from 'node:path'
import { YAML_FILE } from '../../shared/desktop'

/** `argv` without the executable (and, unpackaged, without the app's entry script). */
export function configFromArgs(args: readonly string[], fallback: string, cwd = process.cwd()): string {
  const file = args.find((a) => !a.startsWith('-') && YAML_FILE.test(a))
  return file ? resolve(cwd, file) : fallback
}

/** Whether an IPC message comes from the console this app loaded, and not from anything else. */
export function isTrustedOrigin(senderUrl: string | undefined, trusted: readonly string[]): boolean {
  if (!senderUrl) return false
  try {
    return trusted.includes(new URL(senderUrl).origin)
  } catch {
    return false
  }
}
