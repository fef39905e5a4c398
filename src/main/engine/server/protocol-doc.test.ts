// docs/protocol.md is executable: every exchange in it runs against a real engine, every frame layout
// against the codec, so the reference cannot drift from the server.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeHert, encodeHert } from '../../../shared/protocol/hert'
import { RawClient, startEngine, type Engine } from './testing'

const DOC = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'protocol.md'), 'utf8')

interface Block {
  info: string
  body: string
  line: number
}

function blocks(markdown: string): Block[] {
  const found: Block[] = []
  const pattern = /^```(.*)\n([\s\S]*?)^```$/gm
  for (let m = pattern.exec(markdown); m; m = pattern.exec(markdown)) {
    found.push({ info: m[1]!.trim(), body: m[2]!, line: markdown.slice(0, m.index).split('\n').length })
  }
  return found
}

/** Deep equality where the string "<any>" in the expected value matches anything. */
function matches(expected: unknown, actual: unknown): boolean {
  if (expected === '<any>') return actual !== undefined
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => matches(e, actual[i]))
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    const e = expected as Record<string, unknown>
    const a = actual as Record<string, unknown>
    const keys = Object.keys(e).sort()
    return JSON.stringify(keys) === JSON.stringify(Object.keys(a).sort()) && keys.every((k) => matches(e[k], a[k]))
  }
  return Object.is(expected, actual)
}

const all = blocks(DOC)
const config = all.find((b) => b.info === 'yaml config')
const exchanges = all.filter((b) => b.info === 'exchange')
const frames = all.filter((b) => b.info.startsWith('hert '))

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

describe('docs/protocol.md', () => {
  it('has a configuration, exchanges and frame layouts to check', () => {
    expect(config).toBeDefined()
    expect(exchanges.length).toBeGreaterThanOrEqual(10)
    expect(frames.length).toBeGreaterThanOrEqual(1)
  })

  for (const block of exchanges) {
    it(`exchange at line ${block.line} happens as written`, async () => {
      const engine = await startEngine(config!.body.replace('port: 8765', 'port: 0'))
      engines.push(engine)
      const client = await RawClient.open(engine.url)
      const lines = block.body.split('\n').filter((l) => l.length > 0)
      // Every exchange starts on a fresh connection; the schema is the first message unless the block shows it.
      if (!lines[0]!.startsWith('< {"type": "schema"')) await client.json()
      for (const line of lines) {
        const text = line.slice(2)
        if (line.startsWith('> ')) {
          client.send(text)
        } else if (line.startsWith('< ')) {
          const expected: unknown = JSON.parse(text)
          const actual = await client.json()
          if (!matches(expected, actual)) throw new Error(`docs/protocol.md line ${block.line}: expected\n${text}\nbut the server sent\n${JSON.stringify(actual)}`)
        } else {
          throw new Error(`docs/protocol.md line ${block.line}: a line must start with '> ' or '< ': ${line}`)
        }
      }
      client.socket.terminate()
    })
  }

  for (const block of frames) {
    it(`frame layout at line ${block.line} is what the codec writes and reads`, () => {
      const attrs = Object.fromEntries(block.info.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]))
      const values = attrs.values!.split(',').map(Number)
      const hex = block.body.replace(/\s+/g, '')
      expect(Buffer.from(encodeHert(BigInt(attrs.frame!), Number(attrs.time), values)).toString('hex')).toBe(hex)
      const decoded = decodeHert(Buffer.from(hex, 'hex'))
      expect(decoded.frame).toBe(BigInt(attrs.frame!))
      expect(decoded.time).toBe(Number(attrs.time))
      expect(Array.from(decoded.values)).toEqual(values)
    })
  }
})
