// The results folder: rows read back bit for bit, a damaged row counted as missing, the table's CSV and
// Parquet, and a folder of another sweep refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/testing'
import { ResultsFolder, type ResultRow } from './results'
import { parseSweep } from './sweepFile'

const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const sweepText = (extra = ''): string =>
  [
    `config: ${DEMO}`,
    'samples: 2',
    'parameters:',
    "  modules.target.options.waveform: { list: [sine, 'a, \"b\"'] }",
    '  modules.vehicle.options.mass: { uniform: { min: 1, max: 2 } }',
    'metrics:',
    '  a: max(vehicle.position.x)',
    '  b: crossing(vehicle.position.x, 1)',
    extra
  ].join('\n')

function folder(text = sweepText()): { folder: ResultsFolder; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-results-'))
  const sweep = parseSweep(text, join(dir, 's.yaml'))
  const f = new ResultsFolder(join(dir, 'out'), sweep)
  f.open()
  return { folder: f, dir: join(dir, 'out') }
}

const row = (index: number, metrics: (number | null)[], status: ResultRow['status'] = 'ok', error = ''): ResultRow => ({
  index,
  parameters: [index < 2 ? 'sine' : 'a, "b"', 1 + index / 10],
  metrics,
  status,
  error,
  wallSeconds: 0.5
})

describe('results folder', () => {
  it('reads rows back bit for bit, NaN, infinities, -0 and no value included', () => {
    const { folder: f } = folder()
    f.write(row(0, [NaN, null]))
    f.write(row(1, [-0, Infinity]))
    f.write(row(2, [0.1 + 0.2, -Infinity], 'failed', 'module x failed,\nbadly'))
    const { rows, unreadable } = f.rows()
    expect(unreadable).toEqual([])
    expect(rows.map((r) => r.metrics)).toEqual([
      [NaN, null],
      [-0, Infinity],
      [0.30000000000000004, -Infinity]
    ])
    expect(Object.is(rows[1]!.metrics[0], -0)).toBe(true)
    expect(rows[2]).toMatchObject({ status: 'failed', error: 'module x failed,\nbadly' })
  })

  it('counts a damaged row as missing and says so, so that its run runs again', () => {
    const { folder: f, dir } = folder()
    f.write(row(0, [1, 2]))
    f.write(row(1, [1, 2]))
    writeFileSync(join(dir, 'rows', '00000001.json'), '')
    writeFileSync(join(dir, 'rows', '.00000002.json.123.tmp'), '{"half')
    expect([...f.finished()]).toEqual([0])
    const report = f.collect()
    expect(report).toMatchObject({ rows: 1, missing: [1, 2, 3], failed: [] })
    expect(report.unreadable).toHaveLength(1)
    expect(report.unreadable[0]).toContain('00000001.json')
  })

  it('writes CSV (quoted where needed) and Parquet (typed columns) of the same rows', async () => {
    const { folder: f } = folder()
    f.write(row(2, [-0, null], 'failed', 'x, "y"'))
    f.write(row(0, [NaN, 0.25]))
    const report = f.collect()
    expect(readFileSync(report.csv, 'utf8')).toBe(
      [
        'index,modules.target.options.waveform,modules.vehicle.options.mass,a,b,status,error,wall_s',
        '0,sine,1,NaN,0.25,ok,,0.5',
        '2,"a, ""b""",1.2,-0,,failed,"x, ""y""",0.5',
        ''
      ].join('\r\n')
    )
    const bytes = readFileSync(report.parquet)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const types = Object.fromEntries(parquetMetadata(buffer).schema.slice(1).map((c) => [c.name, c.type]))
    expect(types).toEqual({ index: 'INT32', 'modules.target.options.waveform': 'BYTE_ARRAY', 'modules.vehicle.options.mass': 'DOUBLE', a: 'DOUBLE', b: 'DOUBLE', status: 'BYTE_ARRAY', error: 'BYTE_ARRAY', wall_s: 'DOUBLE' })
    const rows = await parquetReadObjects({ file: buffer })
    expect(rows[0]).toMatchObject({ index: 0, 'modules.target.options.waveform': 'sine', b: 0.25, status: 'ok' })
    expect(rows[0]!.a).toBeNaN()
    expect(rows[1]).toMatchObject({ index: 2, b: null, error: 'x, "y"' })
  })

  it('refuses to mix rows of another sweep into a folder', () => {
    const { folder: f, dir } = folder()
    f.write(row(0, [1, 2]))
    const other = new ResultsFolder(dir, parseSweep(sweepText('  c: min(vehicle.position.y)'), join(dir, '..', 's.yaml')))
    expect(() => other.open()).toThrow('holds runs of another sweep')
  })
})
