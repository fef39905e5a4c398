import { afterEach, describe, expect, it } from 'vitest'
import { AdaptiveWait, type LoadProbe } from './spin'
import { HAS_PYTHON, ModuleLab } from './testing'

const idle: LoadProbe = { busy: () => false }
const crowded: LoadProbe = { busy: () => true }
/** Never treat a pause of the test's own thread as a sign of contention: these tests run on loaded machines. */
const noPreemption = { preemptedMs: Infinity }

/** A peer that answers after `polls` polls (Infinity: not within any spin); counts the polls. */
function peer(polls: number): { ready: () => boolean; polls: () => number; reset: () => void } {
  let n = 0
  let total = 0
  return {
    ready: () => {
      total++
      return ++n > polls
    },
    polls: () => total,
    reset: () => {
      n = 0
    }
  }
}

/** One wait as a module does it: spin, else block (here the block is the peer answering at once). */
function wait(w: AdaptiveWait, p: ReturnType<typeof peer>): void {
  p.reset()
  if (!w.spin(p.ready)) w.blocked()
}

describe('adaptive waiting (spin.ts)', () => {
  it('keeps spinning while the peer answers within the budget', () => {
    const w = new AdaptiveWait(50, { load: idle, policy: 'adaptive', ...noPreemption })
    const fast = peer(3)
    for (let i = 0; i < 100; i++) wait(w, fast)
    expect(w.counters).toEqual({ spins: 100, yields: 0, blocks: 0, switches: 0 })
    expect(w.isSpinning).toBe(true)
  })

  it('switches from spinning to blocking when the peer is slower than the budget, and then stops polling it', () => {
    const w = new AdaptiveWait(0.01, { load: idle, policy: 'adaptive', missLimit: 3, probeMin: 1000, ...noPreemption })
    const slow = peer(Infinity)
    for (let i = 0; i < 3; i++) wait(w, slow)
    expect(w.isSpinning).toBe(false)
    expect(w.counters).toMatchObject({ spins: 0, blocks: 3, switches: 1 })
    const before = slow.polls()
    for (let i = 0; i < 100; i++) wait(w, slow)
    // One look per wait (is it there already?), no spinning.
    expect(slow.polls() - before).toBe(100)
    expect(w.counters).toMatchObject({ spins: 0, blocks: 103, switches: 1 })
  })

  it('tries spinning again now and then, and resumes when the peer has become fast', () => {
    const w = new AdaptiveWait(50, { load: idle, policy: 'adaptive', missLimit: 1, probeMin: 8, ...noPreemption })
    wait(w, peer(Infinity))
    expect(w.isSpinning).toBe(false)
    const fast = peer(2)
    for (let i = 0; i < 7; i++) wait(w, fast)
    expect(w.counters).toMatchObject({ spins: 0, switches: 1 })
    wait(w, fast)
    expect(w.isSpinning).toBe(true)
    expect(w.counters).toMatchObject({ spins: 1, switches: 2 })
  })

  it('a failed probe waits twice as long before the next one', () => {
    const w = new AdaptiveWait(0.01, { load: idle, policy: 'adaptive', missLimit: 1, probeMin: 4, probeMax: 16, ...noPreemption })
    const slow = peer(Infinity)
    wait(w, slow)
    const spinningPolls: number[] = []
    for (let i = 0; i < 40; i++) {
      const before = slow.polls()
      wait(w, slow)
      if (slow.polls() - before > 1) spinningPolls.push(i)
    }
    // Probes at the 4th wait, then 8 and 16 (the cap) later.
    expect(spinningPolls).toEqual([3, 11, 27])
    expect(w.isSpinning).toBe(false)
  })

  it('does not spin at all on a machine with no free core, even for a fast peer', () => {
    const w = new AdaptiveWait(50, { load: crowded, policy: 'adaptive', ...noPreemption })
    const fast = peer(3)
    for (let i = 0; i < 10; i++) wait(w, fast)
    expect(w.counters.spins).toBe(0)
    expect(w.counters.yields).toBeGreaterThanOrEqual(1)
    expect(w.counters.switches).toBe(1)
    expect(w.isSpinning).toBe(false)
  })

  it('HERMES_WAIT=block never spins and HERMES_WAIT=spin never gives up', () => {
    const block = new AdaptiveWait(50, { load: idle, policy: 'block' })
    const fast = peer(3)
    for (let i = 0; i < 10; i++) wait(block, fast)
    expect(block.counters).toEqual({ spins: 0, yields: 0, blocks: 10, switches: 0 })
    const spin = new AdaptiveWait(0.01, { load: crowded, policy: 'spin' })
    for (let i = 0; i < 10; i++) wait(spin, peer(Infinity))
    expect(spin.counters).toEqual({ spins: 0, yields: 0, blocks: 10, switches: 0 })
    expect(spin.isSpinning).toBe(true)
  })
})

describe('adaptive waiting in a run (the scheduler and its modules)', () => {
  let lab: ModuleLab
  afterEach(async () => {
    await lab.cleanup()
  })

  /** Each step of the module in `file` sleeps 2 ms: twenty times the scheduler's 100 µs budget. */
  async function expectSwitchToBlocking(file: string, source: string): Promise<void> {
    lab = new ModuleLab()
    const script = lab.write(file, source)
    const session = lab.track(await lab.start(`modules:\n  slow: { type: script, script: ${script} }\nexecution: { mode: afap, rate_hz: 100, end_time: 0.5 }\n`))
    await session.whenEnded()
    const { waits } = await session.scheduler.stop()
    const counters = waits.slow!
    expect(counters.switches).toBeGreaterThanOrEqual(1)
    // 50 steps: at most the first few (until the switch) spin, and the stage, which answers at once.
    expect(counters.blocks).toBeGreaterThanOrEqual(40)
    expect(counters.spins).toBeLessThanOrEqual(2)
  }

  it('the scheduler stops spinning for a script module whose step takes longer than its budget', async () => {
    await expectSwitchToBlocking('slow.mjs', "const nap = new Int32Array(new SharedArrayBuffer(4))\nexport const signals = [{ name: 'n' }]\nexport function step() { Atomics.wait(nap, 0, 0, 2) }\n")
  })

  it.skipIf(!HAS_PYTHON)('the same for a Python process module', async () => {
    await expectSwitchToBlocking('slow.py', 'import time\nfrom hermes_module import Module, run\nclass Slow(Module):\n    signals = ["n"]\n    def step(self, t):\n        time.sleep(0.002)\nrun(Slow())\n')
  })
})
