// The desktop app's settings file: defaults without one, defaults and a logged reason for a bad one, and
// what the Recording menu changes read back the same after a restart.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Logger } from '../engine/log'
import { DEFAULT_SETTINGS, GB, retentionLabel, SettingsFile } from './settings'

function log(): Logger & { lines: string[] } {
  const lines: string[] = []
  const say = (m: unknown): void => void lines.push(String(m))
  return { lines, info: say, warn: say, error: say, debug: say } as unknown as Logger & { lines: string[] }
}

const dir = mkdtempSync(join(tmpdir(), 'hermes-settings-'))

describe('SettingsFile', () => {
  it('starts from the defaults, quietly, when there is no file: every run recorded, 5 GB kept', () => {
    const l = log()
    expect(new SettingsFile(join(dir, 'none', 'settings.json'), l).value).toEqual({ recordRuns: true, retentionBytes: 5 * GB })
    expect(l.lines).toEqual([])
  })

  it('falls back to the defaults for a bad file and says which file and why', () => {
    const cases: [string, RegExp][] = [
      ['{ not json', /bad1\.json is not JSON \(.+\); using the defaults$/],
      ['{"recordRuns": "yes"}', /bad2\.json: recordRuns: .*boolean.*; using the defaults$/],
      ['{"recordRuns": true, "retentionBytes": -5}', /bad3\.json: retentionBytes: expected a positive number of bytes, or null for unlimited; using the defaults$/],
      ['[1, 2]', /bad4\.json: \(top level\): .*; using the defaults$/]
    ]
    cases.forEach(([text, reason], i) => {
      const store = join(dir, `bad${i + 1}.json`)
      writeFileSync(store, text)
      const l = log()
      expect(new SettingsFile(store, l).value).toEqual(DEFAULT_SETTINGS)
      expect(l.lines).toEqual([expect.stringMatching(reason)])
    })
    // A folder where the file should be cannot be read: the defaults, and the reason.
    const folder = join(dir, 'folder.json')
    mkdirSync(folder)
    const l = log()
    expect(new SettingsFile(folder, l).value).toEqual(DEFAULT_SETTINGS)
    expect(l.lines).toEqual([expect.stringMatching(/cannot read .*folder\.json \(.*EISDIR.*\); using the defaults/)])
  })

  it('saves a change and reads it back after a restart; unknown keys are ignored', () => {
    const store = join(dir, 'data', 'settings.json')
    const first = new SettingsFile(store, log())
    expect(first.update({ recordRuns: false })).toEqual({ recordRuns: false, retentionBytes: 5 * GB })
    expect(first.update({ retentionBytes: null })).toEqual({ recordRuns: false, retentionBytes: null })
    expect(new SettingsFile(store, log()).value).toEqual({ recordRuns: false, retentionBytes: null })
    writeFileSync(store, JSON.stringify({ recordRuns: true, retentionBytes: 3 * GB, later: 'from a newer app' }))
    const l = log()
    expect(new SettingsFile(store, l).value).toEqual({ recordRuns: true, retentionBytes: 3 * GB })
    expect(l.lines).toEqual([])
    expect(JSON.parse(readFileSync(store, 'utf8'))).toMatchObject({ retentionBytes: 3 * GB })
  })

  it('keeps a change for the session when the file cannot be written, and says so', () => {
    // The store's folder is a file: nothing can be written under it.
    const blocker = join(dir, 'blocker')
    writeFileSync(blocker, '')
    const l = log()
    const settings = new SettingsFile(join(blocker, 'settings.json'), l)
    expect(settings.update({ retentionBytes: GB })).toEqual({ recordRuns: true, retentionBytes: GB })
    expect(settings.value.retentionBytes).toBe(GB)
    // Reading said it could not (a reason), and so does saving.
    expect(l.lines).toEqual([expect.stringMatching(/cannot read .*ENOTDIR/), expect.stringMatching(/cannot save .*blocker\/settings\.json .*; the change holds until the app quits/)])
  })

  it('labels the limits as the menu shows them', () => {
    expect([GB, 5 * GB, 20 * GB, null, 1.5 * GB, 512 * 1024 ** 2].map(retentionLabel)).toEqual(['1 GB', '5 GB', '20 GB', 'Unlimited', '1.5 GB', '512 MB'])
  })
})
