// The order of a results table's rows when sorted by one column: numbers ascending or descending with
// empty cells (NaN) last either way, text by locale; ties keep the table's order (by run index).
import type { ResultsColumn } from '../../../shared/resultsTable'

export type SortDirection = 'ascending' | 'descending'

export function sortedRows(column: ResultsColumn | undefined, direction: SortDirection, rows: number): Int32Array {
  const order = Int32Array.from({ length: rows }, (_, i) => i)
  if (!column) return order
  const sign = direction === 'ascending' ? 1 : -1
  if (column.kind === 'number') {
    const v = column.numbers
    return order.sort((a, b) => {
      const x = v[a]!
      const y = v[b]!
      const nx = Number.isNaN(x)
      const ny = Number.isNaN(y)
      if (nx || ny) return nx === ny ? a - b : nx ? 1 : -1
      return x === y ? a - b : (x < y ? -1 : 1) * sign
    })
  }
  const t = column.texts
  const collator = new Intl.Collator(undefined, { numeric: true })
  return order.sort((a, b) => collator.compare(t[a]!, t[b]!) * sign || a - b)
}
