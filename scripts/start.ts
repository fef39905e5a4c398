// `npm start [-- config.yaml] [--port N]`: the desktop app on the built console; where Electron cannot
// start, says why in one line and serves the same console headless, so the user always gets one.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { electronBinary, whyNoElectron } from './electronBinary'

const ROOT = join(__dirname, '..')
const args = process.argv.slice(2)

function run(command: string, argv: string[]): void {
  const child = spawn(command, argv, { stdio: 'inherit' })
  // Ctrl+C reaches the child too (same process group); it stops cleanly and we exit with its code.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const why = whyNoElectron()
if (why === null) {
  run(electronBinary()!, [join(ROOT, 'out', 'main', 'index.js'), ...args])
} else {
  process.stderr.write(`hermes: the desktop window cannot open here: ${why}; serving the console headless instead\n`)
  const config = args.find((a) => /\.ya?ml$/i.test(a))
  const rest = args.filter((a) => a !== config)
  run(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'run', ...(config ? [config] : []), '--serve', ...rest])
}
