import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configFromArgs, isTrustedOrigin, portFromArgs } from './launch'
import { RecentFiles } from './recentFiles'

describe('launch', () => {
  it('opens the first YAML argument, resolved against the working folder, else the demo', () => {
    expect(configFromArgs(['--inspect', 'runs/a.yaml', 'b.yml'], '/demo.yaml', '/home/u')).toBe('/home/u/runs/a.yaml')
    expect(configFromArgs(['--flag', 'notes.txt'], '/demo.yaml')).toBe('/demo.yaml')
    expect(configFromArgs(['/abs/C.YML'], '/demo.yaml')).toBe('/abs/C.YML')
  })

  it('takes --port for the app\'s whole life', () => {
    expect(portFromArgs(['a.yaml', '--port', '9000'])).toBe(9000)
    expect(portFromArgs(['a.yaml'])).toBeNull()
    expect(() => portFromArgs(['--port', 'x'])).toThrow("--port expects an integer from 0 to 65535, got 'x'")
  })

  it('trusts IPC only from the console origins it loaded', () => {
    const trusted = ['http://127.0.0.1:8765']
    expect(isTrustedOrigin('http://127.0.0.1:8765/', trusted)).toBe(true)
    expect(isTrustedOrigin('http://127.0.0.1:8765/?server=x', trusted)).toBe(true)
    expect(isTrustedOrigin('http://127.0.0.1:9999/', trusted)).toBe(false)
    expect(isTrustedOrigin('https://evil.example/', trusted)).toBe(false)
    expect(isTrustedOrigin('file:///etc/passwd', trusted)).toBe(false)
    expect(isTrustedOrigin(undefined, trusted)).toBe(false)
    expect(isTrustedOrigin('not a url', trusted)).toBe(false)
  })
})

describe('RecentFiles', () => {
  it('keeps the ten most recent existing files, newest first, across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-recent-'))
    const files = Array.from({ length: 12 }, (_, i) => {
      const f = join(dir, `c${i}.yaml`)
      writeFileSync(f, 'modules: {}\n')
      return f
    })
    const store = join(dir, 'data', 'recent.json')
    const recent = new RecentFiles(store)
    for (const f of files) recent.add(f)
    recent.add(files[3]!)
    const again = new RecentFiles(store)
    expect(again.list()[0]).toBe(files[3])
    expect(again.list()).toHaveLength(10)
    expect(again.list()).not.toContain(files[0])
    expect(new RecentFiles(join(dir, 'missing.json')).list()).toEqual([])
  })
})
