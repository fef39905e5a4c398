#!/usr/bin/env node
// The `hermes` command of the package: runs the built CLI (npm run build makes it).
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  console.error(`hermes: ${cli} is missing; run 'npm run build' first (or use 'npm run hermes -- <command>' from the source tree)`)
  process.exit(1)
}
require(cli)
