// docs/protocol.md is executable: every exchange in it runs against a real engine, every frame layout
// against the codec, so the reference cannot drift from the server.
import { afterEach, describe, expect, it } from 'vitest'
import { decodeHert, encodeHert } from '../../../shared/protocol/hert'
import { blocks, PROTOCOL_DOC as DOC, runExchange } from './docExchanges'
import { startEngine, type Engine } from './testing'

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
      await runExchange(engine.url, block)
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
