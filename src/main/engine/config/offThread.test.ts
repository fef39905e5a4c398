import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXAMPLES } from '../modules/testing'
import { ConfigError } from './issues'
import { loadConfigFileOffThread } from './offThread'
import { loadConfigFileWithModules } from './withModules'

describe('loading a configuration on a worker thread', () => {
  it('gives the same configuration and warnings as loading on this thread', { timeout: 60_000 }, async () => {
    const file = join(EXAMPLES, 'demo.yaml')
    const options = { overrides: { server: { port: 0 } } }
    expect(await loadConfigFileOffThread(file, options)).toEqual(await loadConfigFileWithModules(file, options))
  })

  it('rejects with the same ConfigError, issue for issue', { timeout: 60_000 }, async () => {
    const error = await loadConfigFileOffThread('/dev/zero').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual([{ severity: 'error', file: '/dev/zero', line: 0, column: 0, path: '', message: 'is a character device, expected a regular YAML file' }])
  })

  it('keeps this thread free while the other one parses a large file', { timeout: 120_000 }, async () => {
    // Ticks of this thread's event loop while a 20k-signal file (a second or more of parsing) loads.
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { manySignals } = await import('./testing')
    const dir = mkdtempSync(join(tmpdir(), 'hermes-offthread-'))
    try {
      const file = join(dir, 'big.yaml')
      writeFileSync(file, manySignals(20_000))
      let ticks = 0
      const timer = setInterval(() => ticks++, 1)
      const loaded = await loadConfigFileOffThread(file)
      clearInterval(timer)
      expect(loaded.config.modules[0]!.signals).toHaveLength(20_000)
      // Parsing on this thread would leave room for none; any handful proves the loop kept running.
      expect(ticks).toBeGreaterThan(10)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
