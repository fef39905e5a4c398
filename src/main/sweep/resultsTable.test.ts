// The console's reading of a results table (src/shared/resultsTable.ts) on the tables a real
// sweep writes (CSV and Parquet, the same rows), and its refusal of files that are not such tables.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseResultsFile, numericColumns, type ResultsDataset } from '../../shared/resultsTable'
import { ROOT } from '../cli/testing'
import { ResultsFolder } from './results'
import { SweepRunner } from './runOne'
import { loadSweepFile } from './sweepFile'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
let dir = ''
let csv: Uint8Array
let parquet: Uint8Array

/** A real sweep of 3 runs (one failing: a mass of 0 is refused), run as a pool worker runs it, collected as `hermes sweep` does. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-results-'))
  const file = join(dir, 'study.yaml')
  writeFileSync(
    file,
    [`config: ${DEMO}`, 'run: { end_time: 0.5 }', 'parameters:', '  modules.vehicle.options.mass: { list: [1.5, 0, 2.5] }', '  modules.pid_x.options.kp: { list: [6, 8, 10] }', 'metrics:', '  peak: max_abs(vehicle.position.x)', '  t_1m: crossing(vehicle.position.x, 100)', 'keep: metrics'].join('\n')
  )
  const sweep = loadSweepFile(file)
  const folder = new ResultsFolder(sweep.resultsDir, sweep)
  folder.open()
  const runner = new SweepRunner(sweep)
  try {
    for (let i = 0; i < sweep.runs; i++) folder.write(await runner.run(i))
  } finally {
    await runner.close()
  }
  const report = folder.collect()
  csv = readFileSync(report.csv)
  parquet = readFileSync(report.parquet)
}, 60_000)

function expectTable(d: ResultsDataset): void {
  expect(d.rows).toBe(3)
  expect(d.columns.map((c) => c.name)).toEqual(['index', 'modules.vehicle.options.mass', 'modules.pid_x.options.kp', 'peak', 't_1m', 'status', 'error', 'wall_s'])
  expect([...d.index]).toEqual([0, 1, 2])
  expect(d.status[0]).toBe('ok')
  expect(d.status[2]).toBe('ok')
  expect(d.status[1]).toBe('failed')
  expect(d.columns[6]!.texts[1]).toMatch(/mass/)
  const col = (n: string) => d.columns.find((c) => c.name === n)!
  expect(col('peak').kind).toBe('number')
  expect(col('peak').numbers[0]).toBeGreaterThan(0)
  // No crossing, and a failed run's metrics: empty cells, read as no number.
  expect(Number.isNaN(col('t_1m').numbers[0])).toBe(true)
  expect(col('status').kind).toBe('text')
  expect(d.recording).toEqual(['', '', ''])
  expect(numericColumns(d).slice(0, 4)).toEqual(['modules.vehicle.options.mass', 'modules.pid_x.options.kp', 'peak', 't_1m'])
}

describe('a results table in the console', () => {
  it('reads the CSV and the Parquet of a real sweep into the same columns and numbers', async () => {
    const a = await parseResultsFile('results.csv', csv)
    const b = await parseResultsFile('results.parquet', parquet)
    expectTable(a)
    expectTable(b)
    for (const name of ['modules.vehicle.options.mass', 'modules.pid_x.options.kp', 'peak', 't_1m', 'wall_s']) {
      expect([...b.columns.find((c) => c.name === name)!.numbers]).toEqual([...a.columns.find((c) => c.name === name)!.numbers])
    }
  })

  it('refuses files that are not results tables, saying why', async () => {
    const text = (s: string) => new TextEncoder().encode(s)
    const refused = async (name: string, bytes: Uint8Array) => {
      try {
        await parseResultsFile(name, bytes)
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(await refused('empty.csv', text(''))).toBe('empty.csv is not a results table: it is empty')
    expect(await refused('plain.csv', text('a,b\r\n1,2\r\n'))).toBe("plain.csv is not a results table: it has no 'index' or 'status' column, so it is not a results table of hermes sweep (its columns: a, b)")
    expect(await refused('ragged.csv', text('index,x,status\r\n0,1,ok\r\n1,2\r\n'))).toBe('ragged.csv is not a results table: line 3 has 2 cells; the header has 3')
    expect(await refused('twice.csv', text('index,x,x,status\r\n'))).toBe("twice.csv is not a results table: its header names the column 'x' twice")
    expect(await refused('bad-index.csv', text('index,status\r\nseven,ok\r\n'))).toBe("bad-index.csv is not a results table: line 2: its index 'seven' is not a run index (an integer of 0 or more)")
    expect(await refused('open.csv', text('index,status,error\r\n0,failed,"never closed\r\n'))).toMatch(/^open\.csv is not a results table: a quoted cell opened on or before line \d+ never closes$/)
    expect(await refused('binary.csv', new Uint8Array([0xff, 0xfe, 0x00, 0x81]))).toBe('binary.csv is not a results table: it is neither Parquet nor UTF-8 text (CSV)')
    expect(await refused('fake.parquet', text('index,status\r\n'))).toBe('fake.parquet is not a results table: it has the name of a Parquet file but not its PAR1 magic')
    expect(await refused('cut.parquet', parquet.subarray(0, parquet.byteLength - 100))).toMatch(/^cut\.parquet is not a results table: it cannot be read as Parquet: /)
    // A quoted cell with a comma, a quote and a line break is one cell.
    const quoted = await parseResultsFile('q.csv', text('index,status,error\r\n0,failed,"a, ""b""\nc"\r\n'))
    expect(quoted.columns[2]!.texts[0]).toBe('a, "b"\nc')
  })
})
