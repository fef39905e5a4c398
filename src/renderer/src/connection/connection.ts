// The console's one link to a server: connects through the shared HermesClient, keeps the store and the
// telemetry history fed, re-subscribes, measures link quality, and reconnects by seed 002's rules.
import { HermesClient } from '../../../shared/client/hermesClient'
import type { EventMessage, SchemaMessage, StatusMessage } from '../../../shared/protocol/messages'
import { pipeline } from '../frames/pipeline'
import { historyLoader } from '../history/loader'
import { useTimeline } from '../timeline/timeline'
import { useConsole, usedSignals } from '../store/store'
import { telemetry } from '../telemetry/telemetry'
import { describeClose, RECONNECT, reconnectDelayMs, shouldReconnect } from './reconnect'
import { initialServer, reloadFor, rememberConsent } from './serverParam'

/**
 * The subscription budget: the console takes every plotted signal, and fills up to this many with the
 * rest of the schema in order, so that a signal plotted later already has its history from the moment
 * the console connected (256 signals at 60 Hz is about 120 kB/s). Beyond it a signal starts when plotted,
 * and its plot says so.
 */
export const SUBSCRIBE_BUDGET = 256
const RUN_FLUSH_MS = 100
const PING_MS = 2000
const QUALITY_MS = 1000

const store = useConsole

class ConnectionManager {
  private client: HermesClient | null = null
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private timers: ReturnType<typeof setInterval>[] = []
  private closing = false
  private lastFrame = { frame: 0, time: 0, dirty: false }
  private framesThisSecond = 0
  private subscribedKey = ''
  private subscribedCount = 0

  constructor() {
    pipeline.configure(store.getState())
    // Plots added or removed change what must stream when the console does not take everything.
    store.subscribe((state, previous) => {
      // Derived signals and limits change the history's columns and what must stream (their inputs).
      if (state.derived !== previous.derived || state.limits !== previous.limits || state.signals !== previous.signals) {
        if (pipeline.configure(state)) telemetry.resubscribe(pipeline.columns(pipeline.subscribedSignals), state.quality.telemetryHz)
        void this.subscribe()
      } else if (state.panels !== previous.panels) void this.subscribe()
    })
  }

  /** Connects to `url`, dropping any current connection; attempts start again from the first. */
  connect(url: string): void {
    this.disconnect()
    this.closing = false
    this.attempt = 0
    store.getState().setLink({ url, status: 'connecting', attempt: 0, retryAt: null, message: '', everConnected: false })
    void this.open()
  }

  /** After giving up, or at any time: try again now. */
  retryNow(): void {
    this.connect(store.getState().link.url)
  }

  disconnect(): void {
    this.closing = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.stopTimers()
    historyLoader.detach()
    this.client?.close(1000, 'console disconnects')
    this.client = null
  }

  get connected(): boolean {
    return this.client?.isOpen ?? false
  }

  private async open(): Promise<void> {
    const url = store.getState().link.url
    let client: HermesClient
    try {
      client = await HermesClient.connect(url, { timeoutMs: 5000 })
    } catch (error) {
      if (this.closing) return
      const reason = error instanceof Error ? error.message : String(error)
      const s = store.getState()
      // A console that never got through says so, with the address and why, in the badge and the log.
      if (!s.link.everConnected) s.addLog('error', `cannot connect to ${url}: ${reason}`)
      this.retry(1006, reason)
      return
    }
    if (this.closing) {
      client.close()
      return
    }
    this.client = client
    this.attempt = 0
    const s = store.getState()
    s.setLink({ status: 'connected', attempt: 0, retryAt: null, message: '', everConnected: true })
    s.addLog('info', `connected to ${url}${client.extended ? '' : ' (a seed 000 server: no extensions)'}`)
    client.on('schema', (schema) => void this.onSchema(schema))
    client.on('frame', (f) => this.onFrame(f.frame, f.time, f.values))
    client.on('event', (e) => this.onEvent(e))
    client.on('note', (n) => {
      useTimeline.getState().add({ time: n.time, frame: n.frame, kind: 'note', label: n.text, client: n.client })
      store.getState().addLog('event', `note by ${n.client} at t = ${n.time} s: ${n.text}`)
    })
    client.on('status', (st) => this.onStatus(st))
    client.on('badFrame', (why) => store.getState().addLog('error', `bad telemetry frame dropped: ${why}`))
    client.on('close', ({ code, reason }) => this.onClose(code, reason))
    this.startTimers()
    await this.onSchema(client.schema)
    // What the plots lack from before this connection (opened late, or a link cut) comes from history.
    historyLoader.attach(client)
    // The timeline's markers so far (again on every reconnect: what happened while away is in them).
    useTimeline.getState().setServes(client.actions)
    if (client.actions.includes('timeline')) {
      client.timeline().then(
        (reply) => useTimeline.getState().load(reply),
        () => undefined
      )
    }
    if (client.extended) {
      await client.subscribeStatus(2).catch(() => undefined)
      await this.ping()
    }
  }

  private async onSchema(schema: SchemaMessage): Promise<void> {
    const client = this.client
    if (!client) return
    const s = store.getState()
    s.setSchema(schema, client.extended)
    // A new run id means another run (a reload or a reset while we were away): its history starts empty.
    if (schema.run_id !== undefined && schema.run_id !== s.runId) {
      if (s.runId !== null) {
        telemetry.clear()
        useTimeline.getState().clear()
        // Another run: a fault of the one before is not this run's.
        if (s.fault && !schema.fault) s.setFault(null)
      }
      s.setRunId(schema.run_id)
    }
    if (schema.frame !== undefined && schema.time !== undefined) s.setRun({ frame: schema.frame, time: schema.time })
    // A console that connects after a module failed learns it from the extended schema, not from an event.
    // A schema never clears a fault: it may have been made just before the fault event this console saw.
    if (schema.fault) {
      const known = s.fault
      if (known?.module !== schema.fault.module || known.frame !== schema.fault.frame) s.setFault({ ...schema.fault, dismissed: false })
    }
    this.subscribedKey = ''
    await this.subscribe()
  }

  /** What the panels show, then the rest of the schema in order up to the budget. */
  private async subscribe(): Promise<void> {
    const client = this.client
    if (!client?.isOpen) return
    const s = store.getState()
    const wanted = subscriptionFor([...usedSignals(s.panels), ...pipeline.neededSignals()], s.signals.map((x) => x.name), SUBSCRIBE_BUDGET)
    const key = wanted.join('\n')
    if (key === this.subscribedKey) return
    this.subscribedKey = key
    try {
      const ack = await client.subscribe(wanted)
      this.subscribedCount = ack.signals.length
      telemetry.resubscribe(pipeline.columns(ack.signals), s.quality.telemetryHz)
      historyLoader.schedule()
      if (ack.signals.length === 0) store.getState().setQuality({ missingShare: null })
    } catch (error) {
      s.addLog('error', `subscribe failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private onFrame(frame: number, time: number, values: Float64Array): void {
    // Derived signals and limits see every frame received, drawn or not.
    telemetry.append(time, pipeline.process(frame, time, values))
    this.framesThisSecond++
    this.lastFrame.frame = frame
    this.lastFrame.time = time
    this.lastFrame.dirty = true
  }

  private onEvent(e: EventMessage): void {
    const s = store.getState()
    const detail = e.event === 'error' ? `: module '${e.module}' failed at frame ${e.frame}: ${e.message}` : e.event === 'ended' ? ` at frame ${e.frame}, t = ${e.time} s` : ''
    s.addLog(e.event === 'error' ? 'error' : 'event', `${e.event}${detail}`)
    if (e.event === 'paused' || e.event === 'error') s.setRun({ state: 'paused' })
    else if (e.event === 'running') s.setRun({ state: 'running' })
    else if (e.event === 'ended') s.setRun({ state: 'ended' })
    if (e.event === 'error' && e.module !== undefined) s.setFault({ module: e.module, frame: e.frame ?? null, message: e.message ?? 'failed', dismissed: false })
    this.markEvent(e)
    if (e.event === 'reset') {
      s.setFault(null)
      telemetry.clear()
      if (s.run.state === 'ended') s.setRun({ state: 'paused' })
    }
  }

  /** Seed events on the timeline, where the run is now (a reset starts a new segment: an empty one). */
  private markEvent(e: EventMessage): void {
    const timeline = useTimeline.getState()
    if (e.event === 'reset') return timeline.clear()
    const time = e.time ?? (Number.isFinite(telemetry.liveTime) ? telemetry.liveTime : store.getState().run.time)
    const frame = e.frame ?? store.getState().run.frame
    const label = e.event === 'error' ? `fault in ${e.module ?? 'a module'}: ${e.message ?? 'failed'}` : e.event
    timeline.add({ time, frame, kind: e.event === 'error' ? 'fault' : 'state', label })
  }

  private onStatus(st: StatusMessage): void {
    const s = store.getState()
    s.setRun({ state: st.state, frame: st.frame, time: st.time, realtimeFactor: st.realtime_factor })
    if (st.run_id !== s.runId) s.setRunId(st.run_id)
  }

  private onClose(code: number, reason: string): void {
    this.stopTimers()
    this.client = null
    historyLoader.detach()
    // Nothing is known of the run while the link is down: say so rather than show the last state.
    store.getState().setRun({ state: 'unknown', realtimeFactor: null })
    store.getState().setQuality({ missingShare: null })
    if (this.closing) {
      store.getState().setLink({ status: 'closed', message: 'disconnected' })
      return
    }
    const why = `${describeClose(code)}${reason ? `: ${reason}` : ''}`
    store.getState().addLog('error', `link lost: ${why}`)
    if (shouldReconnect(code)) this.retry(code, why)
    else store.getState().setLink({ status: 'failed', retryAt: null, message: `${why}; not reconnecting` })
  }

  private retry(code: number, why: string): void {
    this.attempt++
    const delay = reconnectDelayMs(this.attempt)
    if (delay === null) {
      store.getState().setLink({ status: 'failed', retryAt: null, message: `gave up after ${RECONNECT.maxAttempts} tries: ${why}` })
      return
    }
    store.getState().setLink({ status: 'retrying', attempt: this.attempt, retryAt: Date.now() + delay, message: why || describeClose(code) })
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      void this.open()
    }, delay)
  }

  private startTimers(): void {
    this.stopTimers()
    this.timers.push(
      setInterval(() => {
        if (!this.lastFrame.dirty) return
        this.lastFrame.dirty = false
        store.getState().setRun({ frame: this.lastFrame.frame, time: this.lastFrame.time })
        store.getState().setQuality({ lastFrameAt: Date.now() })
      }, RUN_FLUSH_MS),
      setInterval(() => {
        const hz = store.getState().quality.telemetryHz
        // Only a subscription is owed frames: with nothing subscribed nothing is missing, and nothing shown.
        const missing = hz > 0 && this.subscribedCount > 0 ? Math.max(0, 1 - this.framesThisSecond / ((hz * QUALITY_MS) / 1000)) : null
        this.framesThisSecond = 0
        store.getState().setQuality({ missingShare: missing })
      }, QUALITY_MS),
      setInterval(() => void this.ping(), PING_MS)
    )
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t)
    this.timers = []
  }

  private async ping(): Promise<void> {
    if (!this.client?.extended) return
    try {
      const { rttMs } = await this.client.ping()
      store.getState().setQuality({ rttMs })
    } catch {
      // A lost link is reported by the close handler.
    }
  }

  /** Runs a command, logging what was sent and what came back; resolves to the error text, or null. */
  async command(label: string, run: (client: HermesClient) => Promise<unknown>): Promise<string | null> {
    const s = store.getState()
    const client = this.client
    if (!client?.isOpen) {
      s.addLog('error', `${label}: not connected`)
      return 'not connected'
    }
    s.addLog('sent', label)
    try {
      const ack = await run(client)
      store.getState().addLog('ack', `${label}: ${JSON.stringify(ack)}`)
      return null
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      store.getState().addLog('error', `${label}: ${message}`)
      return message
    }
  }

  pause(): Promise<string | null> {
    return this.command('pause', (c) => c.pause())
  }

  resume(): Promise<string | null> {
    return this.command('resume', (c) => c.resume())
  }

  step(count: number): Promise<string | null> {
    return this.command(`step ${count}`, (c) => c.step(count))
  }

  /** Adds a note at the run's current time; every console shows it on its timeline. */
  note(text: string): Promise<string | null> {
    return this.command(`note ${JSON.stringify(text)}`, (c) => c.note(text))
  }

  /** A replay: plays on from `time`. */
  seek(time: number): Promise<string | null> {
    return this.command(`seek ${time.toFixed(3)} s`, (c) => c.seek(time))
  }

  speed(factor: number | 'afap'): Promise<string | null> {
    return this.command(`speed ${factor}`, (c) => c.speed(factor))
  }

  reset(): Promise<string | null> {
    return this.command('reset', (c) => c.reset())
  }

  async set(signal: string, value: number): Promise<void> {
    const s = store.getState()
    s.setSetResult(signal, { status: 'pending', message: 'sent' })
    const error = await this.command(`set ${signal} = ${value}`, (c) => c.set(signal, value))
    store.getState().setSetResult(signal, error ? { status: 'error', message: error } : { status: 'ok', message: `ack ${value}` })
  }
}

export const connection = new ConnectionManager()

/**
 * The signals to subscribe: every plotted one, and then the schema in order until `budget` (the plotted
 * may exceed it), listed in schema order so that plotting a signal already inside the budget changes nothing.
 */
export function subscriptionFor(plotted: readonly string[], schema: readonly string[], budget: number): string[] {
  const known = new Set(schema)
  const chosen = new Set(plotted.filter((n) => known.has(n)))
  for (const name of schema) {
    if (chosen.size >= budget) break
    chosen.add(name)
  }
  return schema.filter((n) => chosen.has(n))
}

/**
 * Where the console connects first: `?server=` in the address (after asking, when it names another host),
 * else the server that served the page.
 */
export function initialServerUrl(location: Location): string {
  return initialServer(location, (message) => window.confirm(message), typeof sessionStorage !== 'undefined' ? sessionStorage : null)
}

/** The connect dialog's choice: in place when the page may connect there, else by loading the console with `?server=`. */
export function attachTo(url: string, location: Location): void {
  const reload = reloadFor(url, location)
  if (reload === null) {
    connection.connect(url)
    return
  }
  rememberConsent(url, sessionStorage)
  location.assign(reload)
}
