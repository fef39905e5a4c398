// CSV of a plot's signals over a time range: one row per sample, time first.
import type { History } from '../../telemetry/history'

export function historyCsv(history: History, signals: readonly string[], tMin: number, tMax: number): string {
  const columns = signals.map((s) => history.indexOf(s))
  const from = history.lowerBound(tMin)
  const to = history.upperBound(tMax)
  const lines = [['time', ...signals].join(',')]
  for (let k = from; k < to; k++) {
    const row = [String(history.timeAt(k))]
    for (const c of columns) row.push(c >= 0 ? String(history.valueAt(c, k)) : '')
    lines.push(row.join(','))
  }
  return `${lines.join('\n')}\n`
}

export function downloadText(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
