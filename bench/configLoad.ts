// Configuration loading: time and work (elements scanned by array methods) for 10k and 100k signals,
// and for 1k and 10k modules with wires and a schedule. Linear loading shows as ~10x for 10x the size.
import { parseConfig } from '../src/main/engine/config/load'
import { countScannedElements, manyModules, manySignals } from '../src/main/engine/config/testing'
import { printTable } from './table'

interface Row {
  name: string
  bytes: number
  ms: number
  scanned: number
}

function measure(name: string, text: string): Row {
  // Once to warm up, once timed, once counted (the count's wrappers would slow the timed run).
  parseConfig(text, 'bench.yaml', { checkFiles: false })
  const start = performance.now()
  parseConfig(text, 'bench.yaml', { checkFiles: false })
  const ms = performance.now() - start
  const scanned = countScannedElements(() => parseConfig(text, 'bench.yaml', { checkFiles: false }))
  return { name, bytes: text.length, ms, scanned }
}

export async function configLoadBench(): Promise<void> {
  const pairs: [Row, Row][] = [
    [measure('10k signals', manySignals(10_000)), measure('100k signals', manySignals(100_000))],
    [measure('1k modules + wires + schedule', manyModules(1_000)), measure('10k modules + wires + schedule', manyModules(10_000))]
  ]
  const rows: string[][] = []
  for (const [small, large] of pairs) {
    for (const r of [small, large]) {
      const ratio = r === large ? `${(large.ms / small.ms).toFixed(1)}x time, ${(large.scanned / small.scanned).toFixed(1)}x work` : ''
      rows.push([r.name, `${(r.bytes / 1e6).toFixed(1)} MB`, r.ms.toFixed(0), String(r.scanned), ratio])
    }
  }
  printTable('Configuration loading (parseConfig: YAML, schema, modules, wires, schedule)', ['config', 'size', 'ms', 'elements scanned', '10x size costs'], rows)
  await Promise.resolve()
}
