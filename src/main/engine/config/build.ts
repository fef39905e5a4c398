// Builds a process module's executable from its `build:` command when it is missing or older than its sources.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm, rename, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'

/** The argument a build command writes its output to; replaced by a temporary path next to the executable. */
export const BUILD_OUTPUT = '{output}'

/** How long one build may take before it is stopped and reported. */
export const BUILD_TIMEOUT_MS = 120_000

/** How much of a failed build's output is shown: the end, where compilers put the error. */
const OUTPUT_TAIL_CHARS = 2000

const COMPILERS = new Set(['cc', 'gcc', 'clang', 'c99', 'c++', 'g++', 'clang++'])

export interface BuildSpec {
  /** Absolute path of the executable that the command produces. */
  executable: string
  /** Program and arguments; relative paths in them are relative to `dir`. */
  command: string[]
  /** Files the executable is built from, relative to `dir`: a newer one means a rebuild. */
  sources: string[]
  /** The YAML's folder: the command runs there. */
  dir: string
}

async function mtimeMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs
  } catch {
    return null
  }
}

/** Whether the executable is missing or older than a source; throws naming a source that does not exist. */
export async function needsBuild(spec: BuildSpec): Promise<boolean> {
  const built = await mtimeMs(spec.executable)
  let newest = -Infinity
  for (const source of spec.sources) {
    const path = isAbsolute(source) ? source : resolve(spec.dir, source)
    const time = await mtimeMs(path)
    if (time === null) throw new Error(`build source not found: ${path}`)
    newest = Math.max(newest, time)
  }
  return built === null || built < newest
}

/** Builds running in this process, by executable: two loads of one file build it once. */
const running = new Map<string, Promise<void>>()

/** Builds the executable when needed. Throws an Error saying what failed and how to fix it. */
export function buildIfNeeded(spec: BuildSpec): Promise<void> {
  const pending = running.get(spec.executable)
  if (pending) return pending
  const job = (async () => {
    if (await needsBuild(spec)) await build(spec)
  })().finally(() => running.delete(spec.executable))
  running.set(spec.executable, job)
  return job
}

/**
 * Runs the command with `{output}` replaced by a fresh path beside the executable, then renames that
 * over the executable: another process loading the same file at the same moment, or a run still using
 * the old executable, never sees a half-written file.
 */
async function build(spec: BuildSpec): Promise<void> {
  const temporary = join(dirname(spec.executable), `.${basename(spec.executable)}.build-${process.pid}-${randomBytes(4).toString('hex')}`)
  const usesOutput = spec.command.some((arg) => arg.includes(BUILD_OUTPUT))
  const [program, ...args] = spec.command.map((arg) => arg.split(BUILD_OUTPUT).join(temporary))
  const shown = spec.command.join(' ')
  try {
    await run(program!, args, spec.dir, shown)
    if (usesOutput) {
      if ((await mtimeMs(temporary)) === null) throw new Error(`build command '${shown}' succeeded but wrote no ${BUILD_OUTPUT} file`)
      await rename(temporary, spec.executable)
    } else if ((await mtimeMs(spec.executable)) === null) {
      throw new Error(`build command '${shown}' succeeded but did not create ${spec.executable}`)
    }
  } finally {
    await rm(temporary, { force: true })
  }
}

function run(program: string, args: string[], cwd: string, shown: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT_MS })
    let output = ''
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        const hint = COMPILERS.has(basename(program))
          ? `: no C compiler is installed (install one, such as gcc or clang, or build the executable yourself with: ${shown})`
          : ''
        reject(new Error(`build command '${program}' was not found on PATH${hint}`))
      } else {
        reject(new Error(`build command '${shown}' could not start: ${error.message}`))
      }
    })
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise()
      const why = signal ? `was stopped by ${signal}${signal === 'SIGTERM' ? ` (it may have run past ${BUILD_TIMEOUT_MS / 1000} s)` : ''}` : `exited with code ${String(code)}`
      const tail = output.trim()
      // The end of what it printed, with its lines: the loader escapes each line when it reports it.
      reject(new Error(`build command '${shown}' ${why}${tail ? `:\n${tail}` : ''}`))
    })
  })
}
