import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../config/issues'
import { Session } from '../../session'
import { EXAMPLES, HAS_PROC, ModuleLab, nextFault, skipNotice, values, seedVehicleAt } from '../testing'

skipNotice(!HAS_PROC, 'the thread count check', 'no /proc on this system')

let lab: ModuleLab
afterEach(async () => {
  await lab.cleanup()
})

function single(script: string, extra = '', mode = 'afap, end_time: 1'): string {
  return `modules:\n  m:\n    type: script\n    script: ${script}${extra}\nexecution: { mode: ${mode}, rate_hz: 100 }\n`
}

/** An .mjs module with one output `n`, whose step runs `body` (t and ctx in scope, n a handle on `n`). */
function jsModule(body: string, extra = ''): string {
  return `let n
export const signals = [{ name: 'n' }]
export function init(ctx) { n = ctx.signal('n') }
export function stage() { n.value = 0 }
export function step(t, ctx) {
${body}
}
${extra}
`
}

describe('script modules (JavaScript and TypeScript in worker threads)', () => {
  it("the TypeScript vehicle example declares its signals and moves like seed 000's mock module", async () => {
    lab = new ModuleLab()
    const config = await lab.load(`
modules:
  vehicle: { type: script, script: ${join(EXAMPLES, 'vehicle.ts')} }
execution: { mode: afap, rate_hz: 100.0, end_time: 12.34 }
`)
    expect(config.modules[0]!.signals.map((s) => [s.qualified, s.unit])).toEqual([
      ['vehicle.position.x', 'm'],
      ['vehicle.position.y', 'm'],
      ['vehicle.velocity.x', 'm/s'],
      ['vehicle.velocity.y', 'm/s']
    ])
    const session = lab.track(await Session.start(config))
    await session.whenEnded()
    const { frame, values: v } = await values(session.scheduler)
    expect(frame).toBe(1234)
    expect(v).toEqual(seedVehicleAt(1234))
  })

  it('loads .mjs (named exports), .cjs and .js (module.exports), with the same results each run and after reset', async () => {
    lab = new ModuleLab()
    const mjs = lab.write('count.mjs', jsModule('n.value += t.dt * 2'))
    const cjs = lab.write('count.cjs', `let n\nmodule.exports = { signals: [{ name: 'n' }], init(ctx) { n = ctx.signal('n') }, stage() { n.value = 0 }, step(t) { n.value += t.dt * 2 } }\n`)
    const js = lab.write('count.js', `let n\nmodule.exports = { signals: ['n'].map((name) => ({ name })), init(ctx) { n = ctx.signal('n') }, stage() { n.value = 0 }, step(t) { n.value += t.dt * 2 } }\n`)
    const yaml = `
modules:
  a: { type: script, script: ${mjs} }
  b: { type: script, script: ${cjs} }
  c: { type: script, script: ${js} }
execution: { mode: afap, rate_hz: 300, end_time: 2 }
`
    const runs: Record<string, number>[] = []
    for (let i = 0; i < 2; i++) {
      const session = await lab.start(yaml)
      await session.whenEnded()
      runs.push((await values(session.scheduler)).values)
      await session.stop()
    }
    let n = 0
    // end_time 2 s is ceil(2e9 / 3 333 333) = 601 frames
    for (let f = 0; f < 601; f++) n += (3_333_333 / 1e9) * 2
    expect(runs[0]).toEqual({ 'a.n': n, 'b.n': n, 'c.n': n })
    expect(runs[1]).toEqual(runs[0])

    const session = await lab.start(yaml)
    await session.whenEnded()
    await session.scheduler.reset()
    expect((await values(session.scheduler)).values).toEqual({ 'a.n': 0, 'b.n': 0, 'c.n': 0 })
    await session.scheduler.step(601)
    expect((await values(session.scheduler)).values).toEqual(runs[0])
  })

  it('gets its name, the config path, its rate, its options and its own config file; reads inputs set by clients', async () => {
    lab = new ModuleLab()
    lab.write('probe.json', '{"answer": 42}')
    const script = lab.write(
      'probe.mjs',
      `import { readFileSync } from 'node:fs'
let u, y, info
export const signals = [{ name: 'u', writable: true, initial: 2 }, { name: 'y' }, { name: 'info' }]
export function init(ctx) {
  u = ctx.signal('u'); y = ctx.signal('y')
  const answer = JSON.parse(readFileSync(ctx.configFile, 'utf8')).answer
  const ok = ctx.name === 'probe' && ctx.configPath.endsWith('config.yaml') && ctx.rateHz === 200 && ctx.options.gain === 2.5 && answer === 42
    && ctx.signalNames.join() === 'u,y,info' && u.writable && !y.writable
  info = ok ? 1 : -1
}
export function stage(ctx) { ctx.signal('info').value = info; y.value = 10 * u.value }
export function step() { y.value = 10 * u.value }
`
    )
    const session = await lab.start(`
modules:
  probe:
    type: script
    script: ${script}
    config: ./probe.json
    options: { gain: 2.5 }
execution: { mode: single_frame, rate_hz: 50, schedule: [{ name: probe, rate_hz: 200 }] }
`)
    expect((await values(session.scheduler)).values).toEqual({ 'probe.u': 2, 'probe.y': 20, 'probe.info': 1 })
    await session.scheduler.set('probe.u', 0.5)
    await session.scheduler.step(1)
    expect((await values(session.scheduler)).values).toEqual({ 'probe.u': 0.5, 'probe.y': 5, 'probe.info': 1 })
  })

  it('runs init before stage and terminate when the session stops (async hooks awaited)', async () => {
    lab = new ModuleLab()
    const log = join(lab.dir, 'hooks.log')
    const script = lab.write(
      'hooks.mjs',
      jsModule(
        'n.value = t.frame',
        `import { appendFileSync } from 'node:fs'
const note = (what) => appendFileSync(${JSON.stringify(log)}, what + '\\n')
export async function terminate() { await new Promise((r) => setTimeout(r, 20)); note('terminate') }
note('loaded')`
      ).replace("export function init(ctx) { n = ctx.signal('n') }", "export async function init(ctx) { await new Promise((r) => setTimeout(r, 20)); n = ctx.signal('n'); note('init') }")
    )
    const session = await lab.start(single(script))
    await session.whenEnded()
    await session.stop()
    // Loaded twice: once when the configuration asks for its declaration, once for the run.
    expect(readFileSync(log, 'utf8')).toBe('loaded\nloaded\ninit\nterminate\n')
  })
})

describe('script module faults pause the run and name the module, what happened and the frame', () => {
  it('an exception: the error and where it was thrown; the module lives on and the run resumes', async () => {
    lab = new ModuleLab()
    const script = lab.write('throws.mjs', jsModule("if (t.frame === 5 && !globalThis.thrown) { globalThis.thrown = true; throw new RangeError('bad value at frame five') }\nn.value += 1"))
    const session = await lab.start(single(script))
    const fault = await nextFault(session.scheduler)
    expect(fault).toEqual({ module: 'm', frame: 5, message: 'throws.mjs threw in step: RangeError: bad value at frame five (throws.mjs:6:76)' })
    expect((await session.scheduler.snapshot()).state).toBe('paused')
    await session.scheduler.resume()
    await session.whenEnded()
    expect((await values(session.scheduler)).values['m.n']).toBe(100)
  })

  it('an exit: the exit code; later steps are refused at once', async () => {
    lab = new ModuleLab()
    const script = lab.write('exits.mjs', jsModule('if (t.frame === 7) process.exit(3)\nn.value += 1'))
    const session = await lab.start(single(script))
    expect(await nextFault(session.scheduler)).toEqual({ module: 'm', frame: 7, message: 'exits.mjs: its worker exited with code 3 (during step)' })
    await session.scheduler.resume()
    expect(await nextFault(session.scheduler)).toEqual({ module: 'm', frame: 7, message: 'exits.mjs is not running: its worker exited with code 3 (during step)' })
  })

  it('a crash outside a hook (an async error): the error', async () => {
    lab = new ModuleLab()
    const script = lab.write('crashes.mjs', jsModule("if (t.frame === 2) setTimeout(() => { throw new TypeError('late failure') }, 0)\nn.value += 1"))
    // Paused runs give the worker's event loop a turn, which is where the timer fires.
    const session = await lab.start(single(script, '', 'single_frame'))
    await session.scheduler.step(3)
    await new Promise((r) => setTimeout(r, 100))
    const fault = nextFault(session.scheduler)
    await session.scheduler.step(1)
    expect(await fault).toEqual({ module: 'm', frame: 3, message: 'crashes.mjs: its worker failed outside a hook: TypeError: late failure (crashes.mjs:6:45) (during step)' })
  })

  it('a step that never returns: stopped after timeout_s', async () => {
    lab = new ModuleLab()
    const script = lab.write('spins.mjs', jsModule('if (t.frame === 3) for (;;) {}\nn.value += 1'))
    const session = await lab.start(single(script, '\n    timeout_s: 0.3'))
    expect(await nextFault(session.scheduler)).toEqual({
      module: 'm',
      frame: 3,
      message: 'spins.mjs did not finish step within 0.3 s (timeout_s); its worker was stopped'
    })
  })

  it('a step that returns a Promise: steps are synchronous', async () => {
    lab = new ModuleLab()
    const script = lab.write('async.mjs', jsModule('return Promise.resolve()').replace('export function step', 'export async function step'))
    const session = await lab.start(single(script))
    expect(await nextFault(session.scheduler)).toMatchObject({ module: 'm', frame: 0, message: 'async.mjs threw in step: Error: step returned a Promise: step must be synchronous' })
  })

  it('an init that throws fails the start with its message', async () => {
    lab = new ModuleLab()
    const script = lab.write('badinit.mjs', jsModule('n.value += 1').replace("n = ctx.signal('n')", "n = ctx.signal('m')"))
    const config = await lab.load(single(script))
    await expect(Session.start(config)).rejects.toThrow("badinit.mjs: Error: module 'm' has no signal 'm'; it has: n (badinit.mjs:3:37)")
  })

  // Threads are counted in /proc/self/task: without /proc there is nothing to count, and the test says so.
  it.skipIf(!HAS_PROC)('leaves no thread behind: not after a stop, a fault, a timeout or a start that failed', async () => {
    lab = new ModuleLab()
    const threads = (): number => readdirSync('/proc/self/task').length
    const settled = async (baseline: number): Promise<number> => {
      for (let i = 0; i < 100 && threads() > baseline; i++) await new Promise((r) => setTimeout(r, 20))
      return threads()
    }
    const good = lab.write('good.mjs', jsModule('n.value += 1'))
    const faulty = lab.write('faulty.mjs', jsModule("if (t.frame === 3) throw new Error('no')"))
    const spins = lab.write('spins.mjs', jsModule('if (t.frame === 3) for (;;) {}'))
    const bad = lab.write('bad.mjs', jsModule('').replace("n = ctx.signal('n')", "throw new Error('no init')"))
    // One run first: threads that Node and V8 create lazily, once, exist before the count is taken.
    await (await lab.start(single(good))).stop()
    let baseline = threads()
    for (let i = 0; i < 20; i++, await new Promise((r) => setTimeout(r, 25))) baseline = Math.min(baseline, threads())
    for (const script of [good, faulty]) {
      const session = await lab.start(single(script, '', 'single_frame'))
      // The scheduler thread and the module's worker.
      expect(threads()).toBeGreaterThanOrEqual(baseline + 2)
      await session.scheduler.step(5)
      await session.stop()
      expect(await settled(baseline)).toBeLessThanOrEqual(baseline)
    }
    const session = await lab.start(single(spins, '\n    timeout_s: 0.2'))
    await nextFault(session.scheduler)
    await session.stop()
    expect(await settled(baseline)).toBeLessThanOrEqual(baseline)
    await expect(Session.start(await lab.load(single(bad)))).rejects.toThrow('no init')
    expect(await settled(baseline)).toBeLessThanOrEqual(baseline)
  })
})

describe('script modules that cannot load are configuration errors', () => {
  async function issues(yaml: string): Promise<{ path: string; line: number; message: string }[]> {
    const error = await lab.load(yaml).then(
      () => null,
      (e: unknown) => e
    )
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
    return error.issues.map((i) => ({ path: i.path, line: i.line, message: i.message }))
  }

  it('a syntax error, a file without step, a bad declaration, an unknown extension', async () => {
    lab = new ModuleLab()
    const syntax = lab.write('syntax.mjs', 'export function step( {\n')
    const nostep = lab.write('nostep.mjs', 'export const signals = []\n')
    const dup = lab.write('dup.mjs', "export const signals = [{ name: 'a' }, { name: 'a', unit: 3 }]\nexport function step() {}\n")
    const lua = lab.write('model.lua', 'return {}\n')
    const found = await issues(`
modules:
  a: { type: script, script: ${syntax} }
  b: { type: script, script: ${nostep} }
  c: { type: script, script: ${dup} }
  d: { type: script, script: ${lua} }
`)
    expect(found).toEqual([
      { path: 'modules.a.script', line: 3, message: expect.stringMatching(/^syntax\.mjs failed to load: SyntaxError: /) as string },
      { path: 'modules.b.script', line: 4, message: 'nostep.mjs exports no module with a step function: export default defineModule({ step(t, ctx) { ... } }), or export function step' },
      { path: 'modules.c.script', line: 5, message: 'dup.mjs: its signal declaration is invalid: signals[1].unit: expected string, received number' },
      { path: 'modules.d.script', line: 6, message: 'a script must end in .js, .mjs, .cjs, .ts, .mts, .cts, .py; run anything else as type: process with an executable' }
    ])
  })

  it('a missing script, with its path', async () => {
    lab = new ModuleLab()
    expect(await issues(single('./gone.ts'))).toEqual([{ path: 'modules.m.script', line: 4, message: `script not found: ${join(lab.dir, 'gone.ts')}` }])
    expect(existsSync(join(lab.dir, 'gone.ts'))).toBe(false)
  })
})
