// Index lists as ranges: `0-2,5,7-8`, the form people read and Slurm's --array takes.

export function formatRanges(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return parts.join(',')
}
