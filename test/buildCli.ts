// Vitest global setup: the tests that run `hermes` as a user does start the built CLI (out/main/cli.js)
// rather than TypeScript through a loader, which costs a second of CPU at every start (and in every
// worker process a sweep forks). bin/hermes.cjs builds it first when it is missing or older than the
// sources, once, before any test file starts.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export default function setup(): void {
  const root = join(__dirname, '..')
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hermes.cjs'), '--help'], { cwd: root, encoding: 'utf8', timeout: 300_000 })
  if (r.status !== 0) throw new Error(`cannot build the CLI for the tests (bin/hermes.cjs exited ${r.status ?? r.signal}): ${r.stderr}`)
}
