// Subscription patterns of seed 000: "*" for everything, "prefix.*" for a module or any dotted prefix,
// anything else an exact name. Unknown names match nothing; duplicates keep their first position.
// Matching takes time proportional to the names (and their dots) plus the patterns: a million "*" or
// 70,000 distinct "prefix.*" cost one pass, not one pass over the names each.

/** For each dotted prefix (`a.`, `a.b.`) of any name, the names that start with it, in order. */
function prefixIndex(names: readonly string[]): Map<string, string[]> {
  const index = new Map<string, string[]>()
  for (const name of names) {
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      const prefix = name.slice(0, dot + 1)
      const list = index.get(prefix)
      if (list) list.push(name)
      else index.set(prefix, [name])
    }
  }
  return index
}

export function expandPatterns(patterns: readonly string[], names: readonly string[]): string[] {
  const result: string[] = []
  const taken = new Set<string>()
  const known = new Set(names)
  let index: Map<string, string[]> | null = null
  const take = (name: string): void => {
    if (!taken.has(name)) {
      taken.add(name)
      result.push(name)
    }
  }
  // A repeated pattern adds nothing: each distinct one is matched once.
  const seen = new Set<string>()
  for (const pattern of patterns) {
    // Once every name is taken, no later pattern can add one.
    if (result.length === names.length) break
    if (seen.has(pattern)) continue
    seen.add(pattern)
    if (pattern === '*') {
      names.forEach(take)
    } else if (pattern.endsWith('.*')) {
      // "p.*" matches the names starting with "p.": exactly those that have "p." as a dotted prefix.
      index ??= prefixIndex(names)
      for (const name of index.get(pattern.slice(0, -1)) ?? []) take(name)
    } else if (known.has(pattern)) {
      take(pattern)
    }
  }
  return result
}
