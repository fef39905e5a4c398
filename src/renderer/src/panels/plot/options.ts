// A time plot's options as saved in the layout: the signals hidden from the chart (legend click, Alt+click).
import { z } from 'zod'

const schema = z.object({ hidden: z.array(z.string().max(1000)).max(10_000).default([]) })

export type PlotOptions = z.infer<typeof schema>

/** Reads a plot's options; what does not check falls back to the default and is named. */
export function readPlotOptions(raw: unknown): { options: PlotOptions; errors: string[] } {
  const parsed = schema.safeParse(raw ?? {})
  if (parsed.success) return { options: parsed.data, errors: [] }
  return { options: { hidden: [] }, errors: parsed.error.issues.map((i) => `options${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`) }
}

/**
 * The signals hidden after a click on one legend entry: a plain click hides or shows it; Alt+click shows
 * it alone, or, when it already is the only one shown, shows them all again.
 */
export function toggleHidden(signals: readonly string[], hidden: readonly string[], name: string, solo: boolean): string[] {
  const isHidden = new Set(hidden)
  if (solo) {
    const alone = !isHidden.has(name) && signals.every((s) => s === name || isHidden.has(s))
    return alone ? [] : signals.filter((s) => s !== name)
  }
  return isHidden.has(name) ? hidden.filter((s) => s !== name) : [...hidden, name]
}
