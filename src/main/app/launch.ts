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

/** `--port <n>` among the arguments: the app's port for its whole life; null for the configuration's. */
export function portFromArgs(args: readonly string[]): number | null {
  const at = args.indexOf('--port')
  if (at < 0) return null
  const port = Number(args[at + 1])
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects an integer from 0 to 65535, got '${args[at + 1] ?? ''}'`)
  return port
}
