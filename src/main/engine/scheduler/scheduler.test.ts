import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load'
import type { ResolvedConfig } from '../config/types'
import { CommandRejected, Scheduler, type SchedulerEvent } from './scheduler'

const running: Scheduler[] = []

async function start(yaml: string): Promise<Scheduler> {
  const { config } = parseConfig(yaml, 'test.yaml', { checkFiles: false })
  return startConfig(config)
}

async function startConfig(config: ResolvedConfig): Promise<Scheduler> {
  const scheduler = await Scheduler.start(config)
  running.push(scheduler)
  return scheduler
}

function waitForState(scheduler: Scheduler, state: string): Promise<SchedulerEvent> {
  return new Promise((resolve) => {
    if (scheduler.state === state) return resolve({ kind: 'state', state: scheduler.state, frame: -1, timeNs: -1, reason: 'command' })
    const off = scheduler.onEvent((event) => {
      if (event.kind === 'state' && event.state === state) {
        off()
        resolve(event)
      }
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function value(scheduler: Scheduler, values: Float64Array, name: string): number {
  const slot = scheduler.backplane.slot(name)
  if (slot === undefined) throw new Error(`no signal ${name}`)
  return values[slot]!
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()))
})

const clock = (rate: number, end: number | null, extra = ''): string => `
modules:
  clock:
    type: inproc
    model: signal_generator
    options: { waveform: ramp, amplitude: 1 }
execution:
  mode: afap
  rate_hz: ${rate}
  end_time: ${end === null ? 'null' : end}
${extra}
`

describe('scheduler time', () => {
  it('runs 100 frames at 100 Hz and ends at exactly 1 s', async () => {
    const s = await start(clock(100, 1.0))
    const ended = await waitForState(s, 'ended')
    expect(ended).toMatchObject({ state: 'ended', frame: 100, timeNs: 1_000_000_000, reason: 'end_time' })
    const snap = await s.snapshot()
    expect(snap.frame).toBe(100)
    expect(snap.timeNs).toBe(1_000_000_000)
  })

  it('keeps time exactly frame * dt_ns at 600 Hz after a million frames', async () => {
    const s = await start(clock(600, 1_000_000 * 0.001666667))
    expect(s.config.execution.dtNs).toBe(1_666_667)
    await waitForState(s, 'ended')
    const snap = await s.snapshot()
    expect(snap.frame).toBe(1_000_000)
    expect(snap.timeNs).toBe(1_000_000 * 1_666_667)
    // The ramp module saw the start time of the last frame, computed from integers, not accumulated.
    expect(value(s, snap.values, 'clock.out')).toBe((999_999 * 1_666_667) / 1e9)
  })

  it('rounds end_time up to whole frames: 0.015 s at 100 Hz runs 2 frames', async () => {
    const s = await start(clock(100, 0.015))
    const ended = await waitForState(s, 'ended')
    expect(ended).toMatchObject({ frame: 2, timeNs: 20_000_000 })
  })

  it('end_time 0 runs no frame at all', async () => {
    const s = await start(clock(100, 0))
    expect(await waitForState(s, 'ended')).toMatchObject({ frame: 0 })
  })
})

describe('scheduler commands', () => {
  it('step(n) while paused advances exactly n frames', async () => {
    const s = await start(clock(100, null, '  start_paused: true'))
    expect(s.state).toBe('paused')
    expect(await s.step(10)).toMatchObject({ frame: 10, timeNs: 100_000_000, state: 'paused' })
    expect(await s.step()).toMatchObject({ frame: 11 })
    expect(await s.step(7)).toMatchObject({ frame: 18 })
    const snap = await s.snapshot()
    expect(snap.frame).toBe(18)
    expect(value(s, snap.values, 'clock.out')).toBeCloseTo(0.17, 12)
  })

  it('refuses step while running, and a count that is not a positive integer', async () => {
    const s = await start(clock(100, null))
    await expect(s.step(1)).rejects.toBeInstanceOf(CommandRejected)
    await expect(s.step(0)).rejects.toThrow(/positive integer/)
    await expect(s.step(1.5)).rejects.toThrow(/positive integer/)
  })

  it('pause stops the frame counter and resume restarts it', async () => {
    const s = await start(clock(100, null))
    const paused = await s.pause()
    expect(paused.state).toBe('paused')
    await sleep(30)
    expect((await s.snapshot()).frame).toBe(paused.frame)
    await s.resume()
    await sleep(30)
    expect((await s.snapshot()).frame).toBeGreaterThan(paused.frame)
  })

  it('step stops at end_time and the ended run refuses resume and step until reset', async () => {
    const s = await start(clock(100, 0.05, '  start_paused: true'))
    expect(await s.step(20)).toMatchObject({ frame: 5, state: 'ended' })
    await expect(s.resume()).rejects.toThrow(/end_time/)
    await expect(s.step(1)).rejects.toThrow(/end_time/)
    expect(await s.reset()).toMatchObject({ frame: 0, timeNs: 0, state: 'paused' })
    expect(await s.step(2)).toMatchObject({ frame: 2 })
  })

  it('single_frame mode starts paused, waits for step and refuses resume', async () => {
    const s = await start(clock(100, null).replace('mode: afap', 'mode: single_frame'))
    expect(s.state).toBe('paused')
    await sleep(20)
    expect((await s.snapshot()).frame).toBe(0)
    await expect(s.resume()).rejects.toThrow(/single_frame/)
    expect(await s.step(3)).toMatchObject({ frame: 3 })
  })

  it('reset returns frame and time to zero and restores every initial value', async () => {
    const s = await start(`
modules:
  car:
    type: inproc
    model: point_mass
    options: { initial_position: [3, 4], initial_velocity: [1, 0.5] }
  knob:
    type: inproc
    model: injection
    signals: [{ name: gain, initial: 2.5 }]
execution: { mode: afap, rate_hz: 100, start_paused: true }
`)
    await s.set('knob.gain', 9)
    await s.step(50)
    let snap = await s.snapshot()
    expect(value(s, snap.values, 'car.position.x')).toBeCloseTo(3.5, 12)
    expect(value(s, snap.values, 'knob.gain')).toBe(9)
    expect(await s.reset()).toMatchObject({ frame: 0, timeNs: 0 })
    snap = await s.snapshot()
    expect(snap.frame).toBe(0)
    expect(value(s, snap.values, 'car.position.x')).toBe(3)
    expect(value(s, snap.values, 'car.position.y')).toBe(4)
    expect(value(s, snap.values, 'car.velocity.x')).toBe(1)
    expect(value(s, snap.values, 'knob.gain')).toBe(2.5)
  })

  it('set writes the value at the frame boundary and the next snapshot shows it', async () => {
    const s = await start(`
modules:
  knob: { type: inproc, model: injection, signals: [{ name: level }] }
execution: { mode: realtime, rate_hz: 50 }
`)
    await s.set('knob.level', 42.5)
    expect(value(s, (await s.snapshot()).values, 'knob.level')).toBe(42.5)
    await expect(s.set('knob.nope', 1)).rejects.toThrow('Unknown signal: knob.nope')
  })
})

describe('frame order', () => {
  it('steps modules in schedule order, then routes every wire in definition order', async () => {
    const s = await start(`
modules:
  mix: { type: inproc, model: sum, options: { inputs: [a] } }
  src: { type: inproc, model: signal_generator, options: { waveform: constant, offset: 5 } }
  relay: { type: inproc, model: injection, signals: [{ name: x }, { name: y }] }
wiring:
  - { src: src.out, dst: mix.a }
  - { src: mix.a, dst: relay.x, gain: 2, offset: 10 }
  - { src: relay.x, dst: relay.y }
execution: { mode: afap, rate_hz: 100, start_paused: true }
`)
    await s.step(1)
    let snap = await s.snapshot()
    // mix stepped before any wire ran, so its output still reflects the zero input.
    expect(value(s, snap.values, 'mix.out')).toBe(0)
    expect(value(s, snap.values, 'mix.a')).toBe(5)
    // Later wires see what earlier wires wrote in the same routing pass.
    expect(value(s, snap.values, 'relay.x')).toBe(20)
    expect(value(s, snap.values, 'relay.y')).toBe(20)
    await s.step(1)
    snap = await s.snapshot()
    expect(value(s, snap.values, 'mix.out')).toBe(5)
  })

  it('sub-steps a faster module within the frame with its own dt', async () => {
    const s = await start(`
modules:
  car: { type: inproc, model: point_mass, options: { mass: 2, dimensions: 2 } }
  push: { type: inproc, model: signal_generator, options: { waveform: constant, offset: 4 } }
wiring:
  - { src: push.out, dst: car.force.x }
execution:
  mode: afap
  rate_hz: 100
  start_paused: true
  schedule: [push, { name: car, rate_hz: 1000 }]
`)
    await s.step(1) // the wire delivers the force after this first frame
    await s.step(1)
    const snap = await s.snapshot()
    // 10 semi-implicit Euler sub-steps of 1 ms at a = 2 m/s²: v = 10·a·dt, x = a·dt²·10·11/2.
    expect(value(s, snap.values, 'car.velocity.x')).toBeCloseTo(0.02, 12)
    expect(value(s, snap.values, 'car.position.x')).toBeCloseTo(2 * 1e-6 * 55, 12)
  })
})

describe('sub-stepping', () => {
  it('gives a time-dependent module its own time at each sub-step, not the frame time', async () => {
    // A ramp writes the time it is stepped at. Sub-stepped 10 times per 10 ms frame, its last sub-step of
    // frame f runs at f·10 ms + 9 ms; stepped once per frame (the other one), it says the frame's start.
    const s = await start(`
modules:
  fast: { type: inproc, model: signal_generator, options: { waveform: ramp, amplitude: 1 } }
  slow: { type: inproc, model: signal_generator, options: { waveform: ramp, amplitude: 1 } }
execution:
  mode: afap
  rate_hz: 100
  start_paused: true
  schedule: [{ name: fast, rate_hz: 1000 }, slow]
`)
    for (let f = 0; f < 3; f++) {
      await s.step(1)
      const snap = await s.snapshot()
      expect(value(s, snap.values, 'fast.out')).toBe((f * 10_000_000 + 9 * 1_000_000) / 1e9)
      expect(value(s, snap.values, 'slow.out')).toBe((f * 10_000_000) / 1e9)
    }
  })
})

describe('snapshots', () => {
  it('are never torn while the scheduler runs flat out', async () => {
    const modules = Array.from({ length: 200 }, (_, i) => `  r${i}: { type: inproc, model: signal_generator, options: { waveform: ramp, amplitude: 1 } }`).join('\n')
    const s = await start(`modules:\n${modules}\nexecution: { mode: afap, rate_hz: 1000 }\n`)
    let checked = 0
    let lastFrame = -1
    for (let i = 0; i < 2000; i++) {
      const snap = await s.snapshot()
      expect(snap.frame).toBeGreaterThanOrEqual(lastFrame)
      lastFrame = snap.frame
      if (snap.frame === 0) continue
      // Every ramp wrote the start time of the frame just completed: one value, tied to the header.
      const expected = ((snap.frame - 1) * 1_000_000) / 1e9
      const first = snap.values[0]!
      expect(first).toBe(expected)
      for (let k = 1; k < 200; k++) if (snap.values[k] !== first) throw new Error(`torn at frame ${snap.frame}: slot ${k} = ${snap.values[k]}, slot 0 = ${first}`)
      checked++
    }
    expect(checked).toBeGreaterThan(1900)
    expect(lastFrame).toBeGreaterThan(2000)
  })
})

describe('realtime pacing', () => {
  it('does not count paused time: a resume runs the frame due now, the next one a whole period later', async () => {
    // At 1 Hz the run is paused after frame 0, for longer than a period. A resume makes "now" the start of
    // the next frame: it runs at once, and the one after it is a second away, so a pause sent right after
    // the resume finds exactly one more frame. Had the pause counted, frame 1 would be half a second
    // overdue on resume: past the catch-up limit, the loop would have abandoned its schedule (a rebase).
    const s = await start(clock(1, null).replace('mode: afap', 'mode: realtime'))
    const paused = await s.pause()
    await sleep(1500)
    const resumed = await s.resume()
    const again = await s.pause()
    expect(resumed.frame).toBe(paused.frame)
    expect(again.frame).toBeLessThanOrEqual(paused.frame + 1)
    const stats = await s.stop()
    expect(stats.lateness?.rebases).toBe(0)
  })
})
