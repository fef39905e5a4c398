#!/usr/bin/env node
// The `hermes` command (and `npm run hermes`): runs the built CLI, out/main/cli.js. In a source checkout
// it builds it first when it is missing or older than the sources, and says so; a TypeScript loader
// would cost a second or more at every start.
const { existsSync, readdirSync, statSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const root = join(__dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')
const sources = ['src/main', 'src/shared'].map((d) => join(root, d)).filter((d) => existsSync(d))

/** The newest modification time of the engine's sources (tests do not count). */
function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) latest = Math.max(latest, newest(path))
    else if (/\.(ts|cjs|mjs|js|json)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs)
  }
  return latest
}

function whyBuild() {
  if (!existsSync(cli)) return `${cli} is missing`
  // An installed package has no sources: what is built is what runs.
  if (sources.length === 0) return null
  const built = statSync(cli).mtimeMs
  return sources.some((d) => newest(d) > built) ? 'the sources changed since it was built' : null
}

const why = whyBuild()
if (why) {
  let viteBin = null
  try {
    viteBin = join(require.resolve('electron-vite/package.json', { paths: [root] }), '..', 'bin', 'electron-vite.js')
  } catch {
    // Not installed: say what to do below.
  }
  if (!viteBin || !existsSync(viteBin)) {
    console.error(`hermes: ${why}, and electron-vite is not installed to build it; run 'npm install', then 'npm run build'`)
    process.exit(1)
  }
  process.stderr.write(`hermes: building the command line first (${why}); 'npm run build' does the same ...\n`)
  const built = spawnSync(process.execPath, [viteBin, 'build'], { cwd: root, encoding: 'utf8' })
  if (built.status !== 0) {
    process.stderr.write(`${built.stdout ?? ''}${built.stderr ?? ''}`)
    console.error(`hermes: the build failed (exit ${built.status ?? built.signal}); the output is above`)
    process.exit(1)
  }
  process.stderr.write('hermes: built\n')
}
require(cli)
