// The executable blocks of docs/protocol.md (`exchange`, `yaml config`, `hert`): found, and run against a
// server, so that the reference is checked against a live run (protocol-doc.test.ts) and a replay.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RawClient } from './testing'

export const PROTOCOL_DOC = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'protocol.md'), 'utf8')

export interface Block {
  info: string
  body: string
  line: number
  /** The `## ` heading the block is under. */
  section: string
}

export function blocks(markdown: string): Block[] {
  const found: Block[] = []
  const pattern = /^```(.*)\n([\s\S]*?)^```$/gm
  for (let m = pattern.exec(markdown); m; m = pattern.exec(markdown)) {
    const before = markdown.slice(0, m.index)
    const headings = before.match(/^## .*$/gm)
    found.push({ info: m[1]!.trim(), body: m[2]!, line: before.split('\n').length, section: headings ? headings[headings.length - 1]!.slice(3).trim() : '' })
  }
  return found
}

/** Deep equality where the string "<any>" in the expected value matches anything. */
export function matches(expected: unknown, actual: unknown): boolean {
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

/** Runs one exchange on a fresh connection to `url`; throws naming the doc's line on the first difference. */
export async function runExchange(url: string, block: Block): Promise<void> {
  const client = await RawClient.open(url)
  try {
    const lines = block.body.split('\n').filter((l) => l.length > 0)
    // The schema is the first message unless the block shows it.
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
  } finally {
    client.socket.terminate()
  }
}
