// `--set PATH=VALUE`: one value of a configuration changed by its YAML path before validation.
import { parse as parseYaml } from 'yaml'
import { formatPath, type ConfigPath } from './issues'
import { didYouMean } from './suggest'

/** One override: where, what, and the text it came from (to name it in errors). */
export interface ConfigSet {
  path: ConfigPath
  value: unknown
  text: string
}

/** A --set that cannot be read, or that names a path the configuration does not have. */
export class SetError extends Error {
  override name = 'SetError'
}

const MAX_SET_CHARS = 64 * 1024

/**
 * `modules.pid_x.options.kp`, `wiring[3].gain`, `modules["odd.name"].type`: keys separated by dots,
 * list indices in brackets, a quoted key in brackets for a key that holds a dot or a bracket.
 * Throws SetError saying where the path stops making sense.
 */
export function parseSetPath(text: string): ConfigPath {
  const parts: (string | number)[] = []
  let i = 0
  const fail = (why: string): never => {
    throw new SetError(`cannot read the path '${text}': ${why} (at character ${i + 1})`)
  }
  if (text === '') fail('it is empty')
  while (i < text.length) {
    const c = text[i]!
    if (c === '[') {
      const close = text.indexOf(']', i)
      const quote = text[i + 1]
      if (quote === '"' || quote === "'") {
        const end = text.indexOf(`${quote}]`, i + 2)
        if (end < 0) fail(`a quoted key opened with ${quote} is not closed with ${quote}]`)
        parts.push(text.slice(i + 2, end))
        i = end + 2
      } else {
        if (close < 0) fail("'[' is not closed with ']'")
        const inside = text.slice(i + 1, close)
        if (!/^\d+$/.test(inside)) fail(`expected a list index (0, 1, 2...) or a quoted key in brackets, got [${inside}]`)
        parts.push(Number(inside))
        i = close + 1
      }
      if (i < text.length && text[i] !== '.' && text[i] !== '[') fail(`expected '.' or '[' after ']'`)
      if (text[i] === '.') {
        i++
        if (i === text.length) fail('the path ends with a dot')
      }
      continue
    }
    let end = i
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end++
    const key = text.slice(i, end)
    if (key === '') fail('an empty key (two dots in a row, or a leading dot)')
    parts.push(key)
    i = end
    if (text[i] === '.') {
      i++
      if (i === text.length) fail('the path ends with a dot')
    }
  }
  if (parts.includes('__proto__')) throw new SetError(`cannot set '${text}': '__proto__' cannot be a key (it is reserved in JavaScript objects)`)
  return parts
}

/** `PATH=VALUE`, the value read as YAML (`10`, `true`, `sine`, `"a b"`, `[1, 2]`, `{kp: 1}`). Throws SetError. */
export function parseSet(text: string): ConfigSet {
  if (text.length > MAX_SET_CHARS) throw new SetError(`a --set may be at most ${MAX_SET_CHARS} characters long, got ${text.length}`)
  const eq = findEquals(text)
  if (eq < 0) throw new SetError(`expected PATH=VALUE (modules.pid_x.options.kp=10), got '${text}'`)
  const path = parseSetPath(text.slice(0, eq).trim())
  const valueText = text.slice(eq + 1)
  let value: unknown
  try {
    value = parseYaml(valueText, { prettyErrors: false, uniqueKeys: true, maxAliasCount: 0 })
  } catch (error) {
    throw new SetError(`the value of ${formatPath(path)} is not valid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`)
  }
  return { path, value: value ?? null, text }
}

/** The first '=' outside a quoted bracket key. */
function findEquals(text: string): number {
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === quote && text[i + 1] === ']') quote = null
    } else if (c === '[' && (text[i + 1] === '"' || text[i + 1] === "'")) {
      quote = text[i + 1]!
      i++
    } else if (c === '=') {
      return i
    }
  }
  return -1
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'empty'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return `a ${typeof v} (${JSON.stringify(v)})`
}

/** Shallow copy of a container, so that a value shared through a YAML alias changes in one place only. */
const copy = (v: Record<string, unknown> | unknown[]): Record<string, unknown> | unknown[] => (Array.isArray(v) ? [...v] : { ...v })

/**
 * Sets the value in `data` (a parsed configuration), copying every container on the way. Every part but
 * the last must exist; the last may be a new key of a mapping (validation then says whether the key is
 * known), but a list index must be inside the list. Throws SetError naming the part that is missing.
 */
export function applySet(data: Record<string, unknown>, set: ConfigSet): void {
  const { path } = set
  let node: Record<string, unknown> | unknown[] = data
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!
    const last = i === path.length - 1
    const here = i === 0 ? 'the configuration' : formatPath(path.slice(0, i))
    if (typeof part === 'number') {
      if (!Array.isArray(node)) throw new SetError(`${here} is ${kindOf(node)}, not a list, so it has no [${part}]`)
      if (part >= node.length) {
        throw new SetError(`${here} has ${node.length} entr${node.length === 1 ? 'y' : 'ies'}${node.length > 0 ? ` ([0] to [${node.length - 1}])` : ''}, so there is no [${part}]`)
      }
    } else {
      if (!isMapping(node)) throw new SetError(`${here} is ${kindOf(node)}, not a mapping, so it has no key '${part}'`)
      if (!last && !Object.hasOwn(node, part)) {
        const keys = Object.keys(node)
        const next = path[i + 1]!
        const hint = typeof next === 'string' ? ` (to add it, set the whole mapping: ${formatPath(path.slice(0, i + 1))}={${next}: ...})` : ''
        throw new SetError(`${here} has no key '${part}'${didYouMean(part, keys)}${keys.length > 0 && keys.length <= 30 ? `; it has: ${keys.join(', ')}` : ''}${hint}`)
      }
    }
    const container = node as Record<string | number, unknown>
    if (last) {
      container[part] = set.value
      return
    }
    const child = container[part]
    if (child === null || typeof child !== 'object') {
      const next = path[i + 1]!
      throw new SetError(`${formatPath(path.slice(0, i + 1))} is ${kindOf(child)}, so it has no ${typeof next === 'number' ? `[${next}]` : `key '${next}'`}`)
    }
    const copied = copy(child as Record<string, unknown> | unknown[])
    container[part] = copied
    node = copied
  }
}

/** Whether `path` is `prefix` or lies below it. */
export function isUnder(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part)
}
