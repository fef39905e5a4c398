// Loads a user's script module file (JavaScript, or TypeScript compiled on load) and checks what it exports.
import { createRequire } from 'node:module'
import { basename, extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ModuleDefinition } from '../../../../shared/module/defineModule'

const TYPESCRIPT = ['.ts', '.mts', '.cts']
const HOOKS = ['init', 'stage', 'reset', 'terminate'] as const

interface TsxApi {
  require(id: string, parent: string): unknown
}

function tsx(): TsxApi {
  try {
    return createRequire(join(__dirname, 'noop.js'))('tsx/cjs/api') as TsxApi
  } catch {
    throw new Error("TypeScript scripts need the 'tsx' package installed next to the engine (npm install tsx); or compile the script to .js")
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
}

/** The exported module: the namespace itself (named exports), or its default export, however deeply interop nested it. */
function pick(exported: unknown): Record<string, unknown> | null {
  let candidate = exported
  for (let depth = 0; depth < 3 && isObject(candidate); depth++) {
    if (typeof candidate.step === 'function') return candidate
    candidate = candidate.default
  }
  return null
}

/** A one-line description of an error thrown by user code, with where in the script it happened. */
export function describeError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return `threw ${String(error)}`
  const name = basename(file)
  const at = error.stack?.split('\n').find((line) => line.includes(name))
  const place = at ? /([^/\\(\s]+:\d+:\d+)\)?\s*$/.exec(at)?.[1] : undefined
  return `${error.name}: ${error.message}${place ? ` (${place})` : ''}`
}

export async function loadScript(file: string): Promise<ModuleDefinition> {
  let exported: unknown
  try {
    exported = TYPESCRIPT.includes(extname(file).toLowerCase()) ? tsx().require(file, __filename) : await import(pathToFileURL(file).href)
  } catch (error) {
    throw new Error(`${basename(file)} failed to load: ${describeError(error, file)}`)
  }
  const definition = pick(exported)
  if (!definition) {
    throw new Error(`${basename(file)} exports no module with a step function: export default defineModule({ step(t, ctx) { ... } }), or export function step`)
  }
  for (const hook of HOOKS) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function') throw new Error(`${basename(file)}: '${hook}' must be a function`)
  }
  return definition as unknown as ModuleDefinition
}
