// Subscription patterns of seed 000: "*" for everything, "prefix.*" for a module or any dotted prefix,
// anything else an exact name. Unknown names match nothing; duplicates keep their first position.

export function expandPatterns(patterns: readonly string[], names: readonly string[]): string[] {
  const result: string[] = []
  const taken = new Set<string>()
  const known = new Set(names)
  const take = (name: string): void => {
    if (!taken.has(name)) {
      taken.add(name)
      result.push(name)
    }
  }
  for (const pattern of patterns) {
    if (pattern === '*') {
      names.forEach(take)
    } else if (pattern.endsWith('.*')) {
      const prefix = pattern.slice(0, -1)
      for (const name of names) if (name.startsWith(prefix)) take(name)
    } else if (known.has(pattern)) {
      take(pattern)
    }
  }
  return result
}
