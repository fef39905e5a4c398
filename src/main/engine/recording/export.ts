// A recording (or a time range and some of its signals) as a table: CSV text, or Parquet through
// hyparquet-writer. One row per frame: time (simulated seconds), frame, segment, one column per signal.
import { closeSync, openSync, writeSync } from 'node:fs'
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer'
import { expandPatterns } from '../../../shared/protocol/patterns'
import type { RecordingReader } from './reader'
import type { ExportFormat } from './exportFormats'

export { EXPORT_FORMATS, type ExportFormat } from './exportFormats'

export interface ExportOptions {
  format: ExportFormat
  /** A file, or '-' for stdout (CSV only). */
  output: string
  signals?: readonly string[] | undefined
  fromS?: number | undefined
  toS?: number | undefined
}

/** Rows per Parquet row group: the memory an export holds at once. */
const ROW_GROUP = 65_536

/** Which columns of the recording the patterns select, in the recording's order; an unmatched pattern is an error. */
export function selectColumns(reader: RecordingReader, patterns: readonly string[] | undefined): number[] {
  const names = reader.signals.map((s) => s.name)
  if (!patterns) return names.map((_, i) => i)
  for (const p of patterns) if (expandPatterns([p], names).length === 0) throw new Error(`--signals '${p}' matches no recorded signal (recorded: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`)
  const chosen = new Set(expandPatterns(patterns, names))
  return names.flatMap((n, i) => (chosen.has(n) ? [i] : []))
}

export async function exportRecording(reader: RecordingReader, options: ExportOptions): Promise<{ rows: number; columns: number }> {
  if (options.fromS !== undefined && options.toS !== undefined && options.toS < options.fromS) throw new Error(`--to ${options.toS} is before --from ${options.fromS}`)
  if (options.format === 'parquet' && options.output === '-') throw new Error('Parquet is binary: name an output file with --output')
  const columns = selectColumns(reader, options.signals)
  const fromNs = options.fromS === undefined ? 0 : options.fromS * 1e9
  const toNs = options.toS === undefined ? Number.MAX_SAFE_INTEGER : options.toS * 1e9
  const names = columns.map((c) => reader.signals[c]!.name)
  let rows = 0

  if (options.format === 'csv') {
    const fd = options.output === '-' ? 1 : openSync(options.output, 'w')
    try {
      writeSync(fd, `${['time', 'frame', 'segment', ...names].map(csvField).join(',')}\n`)
      for await (const b of reader.batches({ fromNs, toNs })) {
        let text = ''
        for (let k = 0; k < b.frames.length; k++) {
          const t = b.timesNs[k]!
          if (t + b.offsetNs < fromNs || t + b.offsetNs > toNs) continue
          text += `${t / 1e9},${b.frames[k]},${b.segment}`
          for (const c of columns) text += `,${b.columns[c]![k]}`
          text += '\n'
          rows++
        }
        if (text) writeSync(fd, text)
      }
    } finally {
      if (fd !== 1) closeSync(fd)
    }
    return { rows, columns: columns.length }
  }

  // Parquet: float64 columns, row groups of ROW_GROUP frames, the run's id and signals' units as metadata.
  let writer: ParquetWriter | null = null
  const group = { time: [] as number[], frame: [] as number[], segment: [] as number[], values: columns.map(() => [] as number[]) }
  const flush = (): void => {
    if (group.time.length === 0) return
    const columnData = [
      { name: 'time', data: Float64Array.from(group.time), type: 'DOUBLE' as const },
      { name: 'frame', data: Float64Array.from(group.frame), type: 'DOUBLE' as const },
      { name: 'segment', data: Int32Array.from(group.segment), type: 'INT32' as const },
      ...names.map((name, i) => ({ name, data: Float64Array.from(group.values[i]!), type: 'DOUBLE' as const }))
    ]
    writer ??= new ParquetWriter({
      writer: fileWriter(options.output),
      schema: schemaFromColumnData({ columnData }),
      kvMetadata: [
        { key: 'hermes.run_id', value: reader.info.runId },
        { key: 'hermes.units', value: JSON.stringify(Object.fromEntries(columns.map((c) => [reader.signals[c]!.name, reader.signals[c]!.unit]))) }
      ],
      createdBy: 'hermes export'
    })
    void writer.write({ columnData, rowGroupSize: ROW_GROUP })
    group.time = []
    group.frame = []
    group.segment = []
    group.values = columns.map(() => [])
  }
  for await (const b of reader.batches({ fromNs, toNs })) {
    for (let k = 0; k < b.frames.length; k++) {
      const t = b.timesNs[k]!
      if (t + b.offsetNs < fromNs || t + b.offsetNs > toNs) continue
      group.time.push(t / 1e9)
      group.frame.push(b.frames[k]!)
      group.segment.push(b.segment)
      columns.forEach((c, i) => group.values[i]!.push(b.columns[c]![k]!))
      rows++
      if (group.time.length >= ROW_GROUP) flush()
    }
  }
  flush()
  if (!writer) {
    // No frame in the range: still a valid file, with the columns and no rows.
    group.time = []
    const columnData = [{ name: 'time', data: new Float64Array(0), type: 'DOUBLE' as const }, ...names.map((name) => ({ name, data: new Float64Array(0), type: 'DOUBLE' as const }))]
    writer = new ParquetWriter({ writer: fileWriter(options.output), schema: schemaFromColumnData({ columnData }) })
  }
  ;(writer as ParquetWriter).finish()
  return { rows, columns: columns.length }
}

function csvField(name: string): string {
  return /[",\n\r]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name
}
