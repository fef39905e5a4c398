// Maps a path in the parsed data back to a line and column in the YAML text.
import { isMap, isNode, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml'
import type { ConfigPath } from './issues'

export interface Position {
  line: number
  column: number
}

export class SourcePositions {
  /** Each mapping's pairs by key, built on first use: looking up many issues in a large mapping stays linear. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>()

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter
  ) {}

  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset)
    return { line, column: col }
  }

  /**
   * Where the value at `path` starts; with `key`, where its key starts (for unknown-key warnings).
   * A path that does not exist (a missing field) points at the deepest part of it that does.
   */
  of(path: ConfigPath, { key = false } = {}): Position {
    let node: unknown = this.doc.contents
    let best: Node | null = isNode(node) ? node : null
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!
      const last = i === path.length - 1
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(part))
        if (!pair) break
        if (last && key && isNode(pair.key)) return this.start(pair.key)
        node = pair.value
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part]
      } else {
        break
      }
      if (isNode(node)) best = node
      else break
    }
    return best ? this.start(best) : { line: 1, column: 1 }
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map)
    if (!index) {
      index = new Map()
      for (const p of map.items) {
        // Keys such as `1:` or `true:` parse to numbers and booleans, but toJS makes them strings.
        const key = String(isNode(p.key) && 'value' in p.key ? p.key.value : p.key)
        // The first of duplicate keys, as a linear search would find (duplicates are YAML errors anyway).
        if (!index.has(key)) index.set(key, p as Pair)
      }
      this.keyIndex.set(map, index)
    }
    return index
  }

  private start(node: Node): Position {
    return node.range ? this.at(node.range[0]) : { line: 1, column: 1 }
  }
}
