import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { HermesClient } from '../../../shared/client/hermesClient'
import { HermesServer } from '../server/server'
import { Session } from '../session'
import { loadConfigFile } from './load'
import { configError } from './testing'

const YAML = (layout: string) => `
modules:
  knob: { type: inproc, model: injection, signals: [{ name: level }] }
console:
  layout: ${layout}
`
const LAYOUT = { format: 'hermes-console.layout', version: 1, panels: [{ id: 'p', kind: 'plot', title: 'Knob', signals: ['knob.level'] }] }

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-console-layout-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const errorsOf = (file: string): string[] => configError(() => loadConfigFile(file)).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)

const stops: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

describe('console.layout', () => {
  it('reads the layout file beside the configuration', () => {
    // A missing one is a warning: the configuration still runs, and the console opens on its default layout.
    const dir = dirWith({ 'a.yaml': YAML('views/a.layout.json') })
    const missing = loadConfigFile(join(dir, 'a.yaml'))
    expect(missing.config.console.layout).toBeNull()
    expect(missing.warnings.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^5:11 console\.layout: layout file not found: .*views\/a\.layout\.json; the console opens on its default layout$/)
    ])
    const ok = dirWith({ 'a.yaml': YAML('a.layout.json'), 'a.layout.json': JSON.stringify(LAYOUT) })
    const { config } = loadConfigFile(join(ok, 'a.yaml'))
    expect(config.console).toEqual({ layoutFile: join(ok, 'a.layout.json'), layout: LAYOUT })
  })

  it('refuses what is not a layout, at the key, with the reason', () => {
    const dir = dirWith({ 'a.yaml': YAML('a.json'), 'a.json': '{ not json', 'b.yaml': YAML('b.json'), 'b.json': '{"panels": []}', 'c.yaml': YAML('/dev/zero') })
    expect(errorsOf(join(dir, 'a.yaml'))[0]).toMatch(/^5:11 console\.layout: layout file is not JSON/)
    expect(errorsOf(join(dir, 'b.yaml'))[0]).toMatch(/^5:11 console\.layout: .* is not a console layout: expected "format": "hermes-console.layout"/)
    expect(errorsOf(join(dir, 'c.yaml'))[0]).toMatch(/^5:11 console\.layout: layout is not a regular file: \/dev\/zero/)
  })

  it('reaches clients in the extended schema only', async () => {
    const dir = dirWith({ 'a.yaml': YAML('a.layout.json'), 'a.layout.json': JSON.stringify(LAYOUT) })
    const { config } = loadConfigFile(join(dir, 'a.yaml'))
    const session = await Session.start(config)
    stops.push(() => session.stop())
    const server = await HermesServer.start({ host: '127.0.0.1', port: 0, telemetryHz: 30, staticDir: null, allowedOrigins: [] })
    stops.push(() => server.stop())
    server.bind(session)
    const extended = await HermesClient.connect(server.url, { WebSocket: WebSocket as never })
    stops.push(async () => extended.close())
    // connect resolves once the extended schema is in.
    expect(extended.schema.run_id).toBeDefined()
    expect(extended.schema.console_layout).toEqual(LAYOUT)
    const plain = await HermesClient.connect(server.url, { WebSocket: WebSocket as never, hello: false })
    stops.push(async () => plain.close())
    expect(plain.schema.console_layout).toBeUndefined()
  })
})
