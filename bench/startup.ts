// Start-up: `validate` and a one-frame run through the README's command, which is the binary
// (`node bin/hermes.cjs`, built JavaScript), and through `npm run hermes` (npm's start-up added; no
// target), wall and CPU time from spawn to exit (median of seven), beside the floor that no CLI can go
// under: Node itself, npm itself, and the CLI's least (--version).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { printTable } from './table'

const ROOT = join(__dirname, '..')
const DEMO = join(ROOT, 'resources', 'examples', 'demo.yaml')
const RUNS = 7

/** CPU seconds of the children this process has waited for (cutime + cstime of /proc/self/stat, 100 ticks a second). */
function childCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Median wall and CPU seconds; on a loaded machine the CPU time is what a quiet one would take. */
function seconds(command: string, args: string[]): { wall: number; cpu: number } {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const cpu0 = childCpu()
    const start = performance.now()
    const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' })
    wall.push((performance.now() - start) / 1000)
    cpu.push(childCpu() - cpu0)
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  return { wall: median(wall), cpu: median(cpu) }
}

export function startupBench(): Promise<void> {
  // Built first (and so not timed): the binary builds on first use when the sources changed.
  seconds(process.execPath, [join(ROOT, 'bin', 'hermes.cjs'), 'validate', DEMO])
  const oneFrame = ['run', DEMO, '--mode', 'afap', '--end-time', '0.01', '--no-server', '--no-progress']
  const cases: [string, string, string[], number | null][] = [
    ['validate demo.yaml', 'npm run hermes --', ['npm', 'run', '--silent', 'hermes', '--', 'validate', DEMO], null],
    ['validate demo.yaml', 'node bin/hermes.cjs (README)', [process.execPath, join(ROOT, 'bin', 'hermes.cjs'), 'validate', DEMO], 0.3],
    ['one-frame run of demo.yaml', 'npm run hermes --', ['npm', 'run', '--silent', 'hermes', '--', ...oneFrame], null],
    ['one-frame run of demo.yaml', 'node bin/hermes.cjs (README)', [process.execPath, join(ROOT, 'bin', 'hermes.cjs'), ...oneFrame], 0.5]
  ]
  const floor: [string, string, string[]][] = [
    ['floor: node -e 0', 'node', [process.execPath, '-e', '0']],
    ['floor: npm run of no script', 'npm', ['npm', 'run', '--silent', '--if-present', 'no-such-script']],
    ['floor: hermes --version', 'npm run hermes --', ['npm', 'run', '--silent', 'hermes', '--', '--version']],
    ['floor: hermes --version', 'node bin/hermes.cjs', [process.execPath, join(ROOT, 'bin', 'hermes.cjs'), '--version']]
  ]
  const rows = [
    ...floor.map(([what, how, [command, ...args]]) => {
      const s = seconds(command!, args)
      return [what, how, s.wall.toFixed(2), s.cpu.toFixed(2), '-', '']
    }),
    ...cases.map(([what, how, [command, ...args], target]) => {
      const s = seconds(command!, args)
      return [what, how, s.wall.toFixed(2), s.cpu.toFixed(2), target === null ? '-' : target.toFixed(1), target === null ? '' : s.wall <= target ? 'met' : 'MISSED']
    })
  ]
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
  printTable(`Start-up, seconds from spawn to exit (median of ${RUNS}; load average ${load})`, ['command', 'through', 'wall s', 'CPU s (user+sys)', 'target (wall) s', ''], rows)
  return Promise.resolve()
}
