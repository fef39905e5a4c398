// The signal table's own settings, saved in the layout with the panel: columns, precision, sort, filter.
import { z } from 'zod'

export const TABLE_COLUMNS = ['name', 'value', 'unit', 'min', 'max', 'rate', 'set'] as const
export type TableColumn = (typeof TABLE_COLUMNS)[number]

export const COLUMN_LABELS: Record<TableColumn, string> = { name: 'signal', value: 'value', unit: 'unit', min: 'min', max: 'max', rate: 'rate /s', set: 'set' }

const optionsSchema = z.object({
  columns: z.array(z.enum(TABLE_COLUMNS)).default([...TABLE_COLUMNS]),
  precision: z.number().int().min(0).max(12).default(4),
  sort: z.object({ column: z.enum(TABLE_COLUMNS), descending: z.boolean() }).nullable().default(null),
  filter: z.string().max(200).default('')
})

export type TableOptions = z.output<typeof optionsSchema>

/** The panel's options, each one that does not check replaced by its default (a hand-edited layout). */
export function tableOptions(raw: unknown): TableOptions {
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(optionsSchema.shape) as (keyof TableOptions)[]) {
    const one = optionsSchema.shape[key].safeParse(input[key])
    if (one.success) out[key] = one.data
  }
  return optionsSchema.parse(out)
}

/** A number with `precision` decimals; exponent form for very large or small magnitudes. */
export function formatFixed(v: number, precision: number): string {
  if (Number.isNaN(v)) return '—'
  if (!Number.isFinite(v)) return v > 0 ? '+inf' : '-inf'
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e9 || a < 10 ** -precision / 2)) return v.toExponential(precision)
  return v.toFixed(precision)
}
