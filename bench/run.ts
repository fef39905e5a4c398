// `npm run bench [name...]`: runs the named benchmark suites (all by default) and prints their tables.
import { cpus } from 'node:os'
import { configLoadBench } from './configLoad'
import { consoleBench } from './console'
import { contentionBench } from './contention'
import { fanoutBench } from './fanout'
import { limitsBench } from './limits'
import { footprintBench } from './footprint'
import { frameAgeBench } from './frameAge'
import { modulesBench } from './modules'
import { netsimBench } from './netsim'
import { recordingBench } from './recording'
import { schedulerBench, schedulerCommandsBench } from './scheduler'
import { serverBench } from './server'
import { sweepsBench } from './sweeps'
import { startupBench } from './startup'

const SUITES: Record<string, () => Promise<void>> = {
  scheduler: schedulerBench,
  commands: schedulerCommandsBench,
  fanout: fanoutBench,
  console: consoleBench,
  modules: modulesBench,
  netsim: netsimBench,
  server: serverBench,
  config: configLoadBench,
  limits: limitsBench,
  sweeps: sweepsBench,
  recording: recordingBench,
  contention: contentionBench,
  startup: startupBench,
  footprint: footprintBench,
  frameage: frameAgeBench
}

async function main(): Promise<void> {
  const chosen = process.argv.slice(2)
  const unknown = chosen.filter((n) => !(n in SUITES))
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`)
  console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`)
  for (const name of chosen.length > 0 ? chosen : Object.keys(SUITES)) await SUITES[name]!()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
