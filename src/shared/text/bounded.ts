// Text built from untrusted input, bounded: previews of arbitrary values, truncated lines, escaped controls.
// Nothing here recurses or does work proportional to the input beyond the bound it is given.

/** The marker a truncated text ends with, followed by how much was cut. */
export const TRUNCATION_MARKER = '…'

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators, shown escaped. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/** Escapes control characters as \n, \t, \r or \u00XX so that a message cannot forge lines or terminal codes. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\t') return '\\t'
    if (c === '\r') return '\\r'
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/** At most `max` characters of `text`; a longer text is cut and ends with `… (N more characters)`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, max)}${TRUNCATION_MARKER} (${text.length - max} more characters)`
}

/** A short text for a log line or an error message: control characters escaped, then truncated. */
export function boundedText(text: string, max = 200): string {
  // Escaping can only lengthen the text, so escape no more of it than can be shown.
  const escaped = escapeControl(text.length > max ? text.slice(0, max) : text)
  if (text.length <= max && escaped.length <= max) return escaped
  return `${escaped.slice(0, max)}${TRUNCATION_MARKER} (${text.length} characters)`
}

/**
 * A bounded description of any value decoded from JSON (or anything else): its type and a preview of at
 * most about `max` characters. Walks iteratively and stops at the bound, so a value nested 10,000 deep or
 * a million elements long costs no more than a short one, and never overflows the stack.
 */
export function previewValue(value: unknown, max = 60): string {
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
  return `${kind} ${previewBody(value, max)}`
}

function previewBody(value: unknown, max: number): string {
  let out = ''
  // A stack of pending tokens: values to render, or literal text (closing brackets, separators).
  const stack: ({ text: string } | { value: unknown })[] = [{ value }]
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop()!
    if ('text' in item) {
      out += item.text
      continue
    }
    const v = item.value
    if (typeof v === 'string') out += JSON.stringify(v.length > max ? v.slice(0, max) : v)
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out += String(v)
    else if (v === null) out += 'null'
    else if (v === undefined) out += 'undefined'
    else if (typeof v === 'function' || typeof v === 'symbol') out += `<${typeof v}>`
    else if (Array.isArray(v)) {
      out += '['
      stack.push({ text: ']' })
      // Only as many elements as could possibly be shown are queued.
      const shown = Math.min(v.length, max)
      if (shown < v.length) stack.push({ text: ',…' })
      for (let i = shown - 1; i >= 0; i--) {
        stack.push({ value: v[i] })
        if (i > 0) stack.push({ text: ',' })
      }
    } else {
      out += '{'
      stack.push({ text: '}' })
      const keys: string[] = []
      for (const key in v as Record<string, unknown>) {
        if (keys.length >= max) break
        if (Object.prototype.hasOwnProperty.call(v, key)) keys.push(key)
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        stack.push({ value: (v as Record<string, unknown>)[key] })
        stack.push({ text: `${JSON.stringify(key.length > max ? key.slice(0, max) : key)}:` })
        if (i > 0) stack.push({ text: ',' })
      }
    }
  }
  const escaped = escapeControl(out)
  return escaped.length > max || stack.length > 0 ? `${escaped.slice(0, max)}${TRUNCATION_MARKER}` : escaped
}
