// What a person means by a number in a value box: decimal with an optional sign, point and exponent.
// Everything else is refused with the reason, so `0x10` is never silently taken as 16.

export type NumberParse = { ok: true; value: number } | { ok: false; reason: string }

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

export function parseNumber(input: string): NumberParse {
  const text = input.trim()
  if (text === '') return { ok: false, reason: 'enter a number' }
  if (/^[+-]?0[xXbBoO]/.test(text)) return { ok: false, reason: `'${text}' is not a decimal number (hex, binary and octal are not accepted)` }
  if (!DECIMAL.test(text)) return { ok: false, reason: `'${text}' is not a number (write it like 12, -0.5 or 1.2e-3)` }
  const value = Number(text)
  if (!Number.isFinite(value)) return { ok: false, reason: `'${text}' is out of range (at most ±1.7976931348623157e308)` }
  // A value that rounds to zero though its digits are not zero would be set to something else than asked.
  if (value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ''))) return { ok: false, reason: `'${text}' is too small to represent (it would become 0)` }
  return { ok: true, value }
}
