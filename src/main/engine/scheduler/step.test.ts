// A long step stays interruptible: commands act between its frames, telemetry keeps flowing, and the
// count has a documented upper bound (issue 14 item 3).
import { afterEach, describe, expect, it } from 'vitest'
import type { HertFrame } from '../../../shared/protocol/hert'
import { RawClient, startEngine, type Engine } from '../server/testing'
import { MAX_STEP_COUNT } from './control'

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

const yaml = `
modules:
  clock: { type: inproc, model: signal_generator, options: { waveform: ramp, amplitude: 1 } }
execution: { mode: afap, rate_hz: 1000, start_paused: true }
server: { telemetry_hz: 50 }
`

async function engine(): Promise<Engine> {
  const e = await startEngine(yaml)
  engines.push(e)
  return e
}

async function client(e: Engine): Promise<RawClient> {
  const c = await RawClient.open(e.url)
  expect((await c.json()).type).toBe('schema')
  return c
}

describe('a long step', () => {
  it('is interrupted by pause while a second client keeps receiving telemetry', async () => {
    const e = await engine()
    const a = await client(e)
    const b = await client(e)
    b.send({ action: 'subscribe', params: { signals: ['clock.out'] } })
    expect(await b.json()).toMatchObject({ type: 'ack', action: 'subscribe' })

    a.send({ action: 'step', params: { count: MAX_STEP_COUNT } })
    // The step runs: the second client sees the frame number advance, tick after tick.
    let last: HertFrame = await b.frame(10_000)
    for (let advanced = 0; advanced < 5; ) {
      const next = await b.frame(10_000)
      if (next.frame > last.frame) advanced++
      last = next
    }
    // Commands are answered meanwhile, by the server and by the scheduler (a set lands between frames).
    a.send({ action: 'ping' })
    expect(await a.json()).toMatchObject({ type: 'pong' })

    a.send({ action: 'pause' })
    const stepAck = await a.json(10_000)
    expect(stepAck).toMatchObject({ type: 'ack', action: 'step', count: MAX_STEP_COUNT })
    const stepped = stepAck.stepped as number
    expect(stepped).toBeGreaterThan(0)
    expect(stepped).toBeLessThan(MAX_STEP_COUNT)
    expect(stepAck.frame).toBe(stepped)
    expect(await a.json()).toEqual({ type: 'ack', action: 'pause' })
    expect(await a.json()).toEqual({ type: 'event', event: 'paused' })

    // Paused for real now: every later frame says the frame the step ack said.
    const after = await b.take((r): r is Extract<typeof r, { kind: 'binary' }> => r.kind === 'binary' && r.frame.frame === BigInt(stepped), 10_000)
    expect(after.frame.frame).toBe(BigInt(stepped))
    const later = await b.frame(10_000)
    expect(later.frame).toBe(BigInt(stepped))

    // A normal step afterwards is acked as seed 000 writes it, without `stepped`.
    a.send({ action: 'step', params: { count: 3 } })
    expect(await a.json()).toEqual({ type: 'ack', action: 'step', count: 3, frame: stepped + 3 })
  })

  it('ended by reset is acked before the reset, and a second step meanwhile is refused', async () => {
    const e = await engine()
    const a = await client(e)
    a.send({ action: 'step', params: { count: MAX_STEP_COUNT } })
    a.send({ action: 'step', params: { count: 1 } })
    expect(await a.json(10_000)).toEqual({ type: 'error', message: 'a step is in progress: wait for its ack, or pause to end it' })
    a.send({ action: 'reset' })
    const stepAck = await a.json(10_000)
    expect(stepAck).toMatchObject({ type: 'ack', action: 'step', count: MAX_STEP_COUNT, stepped: expect.any(Number) })
    expect(await a.json()).toEqual({ type: 'ack', action: 'reset' })
    expect(await a.json()).toEqual({ type: 'event', event: 'reset' })
    const snap = await e.session.scheduler.snapshot()
    expect(snap.frame).toBe(0)
  })

  it('is stopped by stop: the session ends and the step promise says how far it got', async () => {
    const e = await engine()
    const step = e.session.scheduler.step(MAX_STEP_COUNT)
    const moving = await e.session.scheduler.snapshot()
    await e.stop()
    engines.splice(engines.indexOf(e), 1)
    const result = await step
    expect(result.stepped).toBeGreaterThanOrEqual(moving.frame)
    expect(result.stepped).toBeLessThan(MAX_STEP_COUNT)
  })

  it.each([
    [MAX_STEP_COUNT + 1, `step 'count' must be at most ${MAX_STEP_COUNT}`],
    [Number.MAX_SAFE_INTEGER, `step 'count' must be at most ${MAX_STEP_COUNT}`]
  ])('with count %d is refused with a clear error, and nothing moves', async (count, message) => {
    const e = await engine()
    const a = await client(e)
    a.send({ action: 'step', params: { count } })
    expect(await a.json()).toEqual({ type: 'error', message })
    await expect(e.session.scheduler.step(count)).rejects.toThrow(`step count must be at most ${MAX_STEP_COUNT}`)
    expect((await e.session.scheduler.snapshot()).frame).toBe(0)
  })
})
