import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load'
import { configError } from '../config/testing'
import { enforceRetention, IN_USE_MS, recordingTarget } from './runsFolder'

const dirs: string[] = []
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hermes-runs-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('runs folder', () => {
  it('retention deletes the oldest recordings first until the total fits, never the one being written', () => {
    const folder = temp()
    const now = Date.now()
    const make = (name: string, bytes: number, ageS: number): string => {
      const file = join(folder, name)
      writeFileSync(file, Buffer.alloc(bytes))
      utimesSync(file, (now - ageS * 1000) / 1000, (now - ageS * 1000) / 1000)
      return file
    }
    make('a.mcap', 100, 5000)
    make('b.mcap', 100, 4000)
    // The one being written is the oldest of all (a long run): it stays anyway.
    const current = make('current.mcap', 100, 9000)
    make('c.mcap', 100, 3000)
    make('notes.txt', 1000, 9999)
    const result = enforceRetention(folder, 250, current, now)
    expect(result.deleted.map((f) => f.slice(folder.length + 1))).toEqual(['a.mcap', 'b.mcap'])
    expect(result.totalBytes).toBe(200)
    expect(readdirSync(folder).sort()).toEqual(['c.mcap', 'current.mcap', 'notes.txt'])
  })

  it('retention leaves a recording another engine is still writing (modified within the last minute)', () => {
    const folder = temp()
    const now = Date.now()
    writeFileSync(join(folder, 'busy.mcap'), Buffer.alloc(500))
    utimesSync(join(folder, 'busy.mcap'), (now - IN_USE_MS / 2) / 1000, (now - IN_USE_MS / 2) / 1000)
    expect(enforceRetention(folder, 10, join(folder, 'mine.mcap'), now).deleted).toEqual([])
  })

  it('a .mcap path is the file; any other path is a folder that gets a new file per run', () => {
    const folder = temp()
    expect(recordingTarget(join(folder, 'x.mcap'), null, 'abcdef123')).toEqual({ file: join(folder, 'x.mcap'), folder: null })
    const target = recordingTarget(join(folder, 'runs'), '/cfg/demo.yaml', 'abcdef1234', Date.parse('2026-01-02T03:04:05.678Z'))
    expect(target).toEqual({ folder: join(folder, 'runs'), file: join(folder, 'runs', '20260102-030405Z-demo-abcdef12.mcap') })
    expect(readdirSync(folder)).toEqual(['runs'])
  })
})

describe('recording: section', () => {
  const MODULES = 'modules:\n  v:\n    type: inproc\n    model: point_mass\n'
  it('resolves path against the configuration folder, with defaults', () => {
    const { config } = parseConfig(`${MODULES}recording:\n  enabled: true\n  path: out/runs\n  max_total_mb: 1\n`, '/cfg/x.yaml', { checkFiles: false })
    expect(config.recording).toEqual({ enabled: true, path: '/cfg/out/runs', signals: ['*'], compression: 'lz4', maxTotalBytes: 1024 * 1024 })
    expect(parseConfig(MODULES, '/cfg/x.yaml', { checkFiles: false }).config.recording.enabled).toBeNull()
  })

  it('names the line and column of a bad key, value or pattern', () => {
    const bad = (text: string): string => configError(() => parseConfig(`${MODULES}${text}`, 'x.yaml', { checkFiles: false })).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`).join('\n')
    expect(bad('recording:\n  compression: lz5\n')).toMatch(/^6:16 recording\.compression: /)
    expect(bad('recording:\n  max_total_mb: -1\n')).toBe('6:17 recording.max_total_mb: max_total_mb must be positive')
    expect(bad('recording:\n  signals: ["v.*", nope.*]\n')).toBe("6:20 recording.signals[1]: signal pattern 'nope.*' matches no published signal")
    const { warnings } = parseConfig(`${MODULES}recording:\n  paht: x\n`, 'x.yaml', { checkFiles: false })
    expect(warnings.map((w) => `${w.line}:${w.column} ${w.message}`)).toEqual([expect.stringMatching(/^6:3 unknown key 'paht' is ignored/)])
  })
})
