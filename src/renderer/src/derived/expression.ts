// Expressions of derived signals: parsed by jsep (an expression parser and nothing else), checked
// against a short list of numeric operators and functions, and compiled to closures over a row of input
// values. Nothing is evaluated as code, and nothing but numbers and Math functions is reachable.
import jsep from 'jsep'

// `^` is the power, as engineers write it (jsep reads it as bitwise xor, which expressions never need).
jsep.addBinaryOp('^', 11, true)

type Fn = (...args: number[]) => number

const DEG = 180 / Math.PI

/** Functions an expression may call, with how many arguments each takes ([min, max]; max Infinity). */
export const FUNCTIONS: Record<string, { fn: Fn; arity: [number, number] }> = {
  abs: { fn: Math.abs, arity: [1, 1] },
  sqrt: { fn: Math.sqrt, arity: [1, 1] },
  cbrt: { fn: Math.cbrt, arity: [1, 1] },
  exp: { fn: Math.exp, arity: [1, 1] },
  log: { fn: (x, base) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)), arity: [1, 2] },
  log10: { fn: Math.log10, arity: [1, 1] },
  log2: { fn: Math.log2, arity: [1, 1] },
  sin: { fn: Math.sin, arity: [1, 1] },
  cos: { fn: Math.cos, arity: [1, 1] },
  tan: { fn: Math.tan, arity: [1, 1] },
  asin: { fn: Math.asin, arity: [1, 1] },
  acos: { fn: Math.acos, arity: [1, 1] },
  atan: { fn: Math.atan, arity: [1, 1] },
  atan2: { fn: Math.atan2, arity: [2, 2] },
  sinh: { fn: Math.sinh, arity: [1, 1] },
  cosh: { fn: Math.cosh, arity: [1, 1] },
  tanh: { fn: Math.tanh, arity: [1, 1] },
  hypot: { fn: Math.hypot, arity: [1, Infinity] },
  min: { fn: Math.min, arity: [1, Infinity] },
  max: { fn: Math.max, arity: [1, Infinity] },
  floor: { fn: Math.floor, arity: [1, 1] },
  ceil: { fn: Math.ceil, arity: [1, 1] },
  round: { fn: Math.round, arity: [1, 1] },
  sign: { fn: Math.sign, arity: [1, 1] },
  pow: { fn: Math.pow, arity: [2, 2] },
  mod: { fn: (a, b) => a - b * Math.floor(a / b), arity: [2, 2] },
  clamp: { fn: (x, lo, hi) => Math.min(hi, Math.max(lo, x)), arity: [3, 3] },
  /** Radians to degrees, and back. */
  deg: { fn: (x) => x * DEG, arity: [1, 1] },
  rad: { fn: (x) => x / DEG, arity: [1, 1] }
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI }

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '**': (a, b) => a ** b,
  '%': (a, b) => a - b * Math.floor(a / b),
  '>': (a, b) => Number(a > b),
  '<': (a, b) => Number(a < b),
  '>=': (a, b) => Number(a >= b),
  '<=': (a, b) => Number(a <= b),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '&&': (a, b) => Number(a !== 0 && b !== 0),
  '||': (a, b) => Number(a !== 0 || b !== 0)
}

const UNARY: Record<string, (a: number) => number> = {
  '-': (a) => -a,
  '+': (a) => a,
  '!': (a) => Number(a === 0)
}

/** The row of input values an expression reads, in the order of `inputs`. */
type Eval = (inputs: ArrayLike<number>) => number

export type Compiled = { ok: true; inputs: string[]; evaluate: Eval } | { ok: false; error: string; column: number | null }

class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number | null
  ) {
    super(message)
  }
}

interface Node {
  type: string
  [key: string]: unknown
}

/** `vehicle.velocity.x`: a chain of dotted members down to an identifier, or null when it is something else. */
function dottedName(node: Node): string | null {
  if (node.type === 'Identifier') return node.name as string
  if (node.type !== 'MemberExpression' || node.computed) return null
  const property = node.property as Node
  if (property.type !== 'Identifier') return null
  const base = dottedName(node.object as Node)
  return base === null ? null : `${base}.${String(property.name)}`
}

/** Where `name` first appears in the text as a whole word (1-based column), for messages. */
function columnOf(text: string, name: string): number | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const m = new RegExp(`(^|[^\\w.])${escaped}(?![\\w])`).exec(text)
  return m ? m.index + m[1]!.length + 1 : null
}

/**
 * Compiles `text` over signals for which `known` is true. Errors say what is wrong and where: the
 * parser's column for syntax, the first place a name appears for unknown signals and functions.
 */
export function compileExpression(text: string, known: (signal: string) => boolean): Compiled {
  if (text.trim() === '') return { ok: false, error: 'enter an expression', column: null }
  if (text.length > 2000) return { ok: false, error: 'an expression may be at most 2000 characters long', column: null }
  let root: Node
  try {
    root = jsep(text) as unknown as Node
  } catch (error) {
    const e = error as Error & { index?: number; description?: string }
    return { ok: false, error: e.description ?? e.message, column: typeof e.index === 'number' ? e.index + 1 : null }
  }
  const inputs: string[] = []
  const slot = (name: string): number => {
    const at = inputs.indexOf(name)
    if (at >= 0) return at
    inputs.push(name)
    return inputs.length - 1
  }
  const build = (node: Node): Eval => {
    switch (node.type) {
      case 'Literal': {
        const v = node.value
        if (typeof v !== 'number') throw new ExpressionError(`only numbers are allowed, not ${String(node.raw)}`, columnOf(text, String(node.raw)))
        return () => v
      }
      case 'Identifier':
      case 'MemberExpression': {
        const name = dottedName(node)
        if (name === null) throw new ExpressionError('only signal names may be used with a dot (no indexing)', null)
        if (node.type === 'Identifier' && Object.hasOwn(CONSTANTS, name) && !known(name)) {
          const c = CONSTANTS[name]!
          return () => c
        }
        if (!known(name)) throw new ExpressionError(`unknown signal '${name}'`, columnOf(text, name))
        const i = slot(name)
        return (row) => row[i]!
      }
      case 'UnaryExpression': {
        const op = String(node.operator)
        if (!Object.hasOwn(UNARY, op)) throw new ExpressionError(`the operator '${op}' is not supported`, columnOf(text, op))
        const f = UNARY[op]!
        const a = build(node.argument as Node)
        return (row) => f(a(row))
      }
      case 'BinaryExpression': {
        const op = String(node.operator)
        if (!Object.hasOwn(BINARY, op)) throw new ExpressionError(`the operator '${op}' is not supported`, text.indexOf(op) >= 0 ? text.indexOf(op) + 1 : null)
        const f = BINARY[op]!
        const a = build(node.left as Node)
        const b = build(node.right as Node)
        return (row) => f(a(row), b(row))
      }
      case 'ConditionalExpression': {
        const c = build(node.test as Node)
        const t = build(node.consequent as Node)
        const f = build(node.alternate as Node)
        return (row) => (c(row) !== 0 ? t(row) : f(row))
      }
      case 'CallExpression': {
        const callee = node.callee as Node
        const name = callee.type === 'Identifier' ? (callee.name as string) : null
        if (name === null || !Object.hasOwn(FUNCTIONS, name)) {
          throw new ExpressionError(`unknown function '${name ?? dottedName(callee) ?? '?'}'; known: ${Object.keys(FUNCTIONS).join(', ')}`, name ? columnOf(text, name) : null)
        }
        const { fn, arity } = FUNCTIONS[name]!
        const args = (node.arguments as Node[]).map(build)
        if (args.length < arity[0] || args.length > arity[1]) {
          const want = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} to ${arity[1]}`
          throw new ExpressionError(`${name} takes ${want} argument${want === '1' ? '' : 's'}, not ${args.length}`, columnOf(text, name))
        }
        if (args.length === 1) {
          const a = args[0]!
          return (row) => fn(a(row))
        }
        if (args.length === 2) {
          const [a, b] = args as [Eval, Eval]
          return (row) => fn(a(row), b(row))
        }
        return (row) => fn(...args.map((a) => a(row)))
      }
      default:
        throw new ExpressionError(`${describeNode(node.type)} is not allowed in an expression`, null)
    }
  }
  try {
    const evaluate = build(root)
    return { ok: true, inputs, evaluate }
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error: error.message, column: error.column }
    throw error
  }
}

function describeNode(type: string): string {
  const names: Record<string, string> = { Compound: 'more than one expression', ArrayExpression: 'an array', ThisExpression: "'this'", SequenceExpression: 'more than one expression' }
  return names[type] ?? `'${type}'`
}

/** The message an operator reads: what is wrong and at which column. */
export function describeError(c: Extract<Compiled, { ok: false }>): string {
  return c.column === null ? c.error : `${c.error} (at column ${c.column})`
}
