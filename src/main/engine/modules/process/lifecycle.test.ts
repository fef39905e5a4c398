// Process modules that misbehave around the engine's pipes: a module that forks and exits, and modules
// that flood their standard error. The engine notices, reports, keeps serving, and leaves nothing behind.
import { afterEach, describe, expect, it } from 'vitest'
import { HermesServer } from '../../server/server'
import { RawClient } from '../../server/testing'
import type { Session } from '../../session'
import { HAS_PROC, HAS_PYTHON, ModuleLab, nextFault, skipNotice } from '../testing'
import { StderrLines, appendTail } from './childStatus'
import { LOG_LINE_CHARS } from '../../log'

let lab: ModuleLab | null = null
const servers: HermesServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  await lab?.cleanup()
  lab = null
})

skipNotice(!HAS_PYTHON, 'process module lifecycle tests', 'no python3 on PATH (set HERMES_PYTHON)')

/** A Python module through the helper: one output `n` that counts frames, and `body` run at every step. */
function module(body: string): string {
  return `import os, sys, time
from hermes_module import Module, run

class M(Module):
    signals = [{"name": "n"}]
    def stage(self):
        self.outputs["n"] = 0.0
    def step(self, t):
        self.outputs["n"] = t.frame
${body
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}

run(M())
`
}

const config = (script: string, execution: string): string => `
modules:
  m:
    type: script
    script: ${script}
execution: { ${execution} }
`

/** Serves a session on port 0 and returns a client subscribed to every signal. */
async function serve(session: Session): Promise<RawClient> {
  const server = await HermesServer.start({ host: '127.0.0.1', port: 0, telemetryHz: 50, staticDir: null, allowedOrigins: [], allowedHosts: [] })
  servers.push(server)
  server.bind(session)
  const client = await RawClient.open(server.url)
  await client.json()
  client.send({ action: 'subscribe', params: { signals: ['*'] } })
  await client.json()
  return client
}

/** Waits until telemetry shows frame `after`, then for `count` more frames that each advance. */
async function framesAdvance(client: RawClient, after: number, count: number): Promise<number> {
  let last = -1
  while (last <= after) last = Number((await client.frame(20_000)).frame)
  for (let n = 0; n < count; ) {
    const f = Number((await client.frame(20_000)).frame)
    if (f > last) n++
    last = f
  }
  return last
}

describe.skipIf(!HAS_PYTHON)('a module that forks a child holding its pipes, then exits during a step', () => {
  const forking = module(`if t.frame == 5:
    if os.fork() == 0:
        time.sleep(300)  # the child: holds stdin, stdout and stderr, and outlives its parent unless killed
        os._exit(0)
    os._exit(0)`)

  it('is reported as a fault naming it, and the run pauses', async () => {
    lab = new ModuleLab()
    const session = await lab.start(config(lab.write('forker.py', forking), 'mode: realtime, rate_hz: 100'))
    const fault = await nextFault(session.scheduler, 20_000)
    expect(fault.module).toBe('m')
    expect(fault.frame).toBe(5)
    expect(fault.message).toContain('exited with code 0 during step')
    // The engine still answers: a snapshot is served (paused where it faulted), and the stop completes.
    expect(await session.scheduler.snapshot()).toMatchObject({ frame: 5, state: 'paused' })
    await session.stop()
  })

  it.skipIf(!HAS_PROC)('leaves no descendant: the child dies with the module (checked in /proc)', async () => {
    lab = new ModuleLab()
    const session = await lab.start(config(lab.write('forker.py', forking), 'mode: realtime, rate_hz: 100'))
    await nextFault(session.scheduler, 20_000)
    // Not even before the stop: the module's process group went with it.
    expect(await lab.processesAfter(5000)).toEqual([])
    await session.stop()
    expect(lab.processes()).toEqual([])
  })
})

describe.skipIf(!HAS_PYTHON)('a module that floods its standard error', () => {
  it('with a 1 MB line: telemetry keeps flowing and the stop completes', async () => {
    lab = new ModuleLab()
    const script = lab.write('loud.py', module(`if t.frame == 20:
    sys.stderr.write("x" * 1_000_000 + "\\n")
    sys.stderr.flush()`))
    const session = await lab.start(config(script, 'mode: realtime, rate_hz: 100'))
    const client = await serve(session)
    await framesAdvance(client, 20, 10)
    expect((await session.stop()).frames).toBeGreaterThan(20)
  })

  it('with 5 MB and no newline: telemetry keeps flowing, the stop completes, the tail stays bounded', async () => {
    lab = new ModuleLab()
    const script = lab.write('loud.py', module(`if 20 <= t.frame < 25:
    sys.stderr.write("y" * 1_000_000)
    sys.stderr.flush()`))
    const session = await lab.start(config(script, 'mode: realtime, rate_hz: 100'))
    const client = await serve(session)
    await framesAdvance(client, 25, 10)
    expect((await session.stop()).frames).toBeGreaterThan(25)
  })
})

describe('stderr bounds', () => {
  it('cut a line without a newline to LOG_LINE_CHARS and count the rest', () => {
    const lines: string[] = []
    const split = new StderrLines((l) => lines.push(l))
    const chunk = 'z'.repeat(65_536)
    for (let i = 0; i < 16; i++) split.push(chunk)
    expect(lines).toEqual([])
    split.push('tail\nnext')
    split.flush()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toBe(`${'z'.repeat(LOG_LINE_CHARS)}… (${16 * 65_536 + 4 - LOG_LINE_CHARS} more characters)`)
    expect(lines[1]).toBe('next')
  })

  it('split many lines in one chunk, in order', () => {
    const lines: string[] = []
    const split = new StderrLines((l) => lines.push(l))
    split.push('a\nb')
    split.push('c\n\nd\n')
    expect(lines).toEqual(['a', 'bc', '', 'd'])
  })

  it('keep the stderr tail at its size whatever the chunk', () => {
    expect(appendTail('abc', 'defg', 5)).toBe('cdefg')
    expect(appendTail('abc', 'x'.repeat(10), 5)).toBe('xxxxx')
    expect(appendTail('', 'ab', 5)).toBe('ab')
  })
})
