// The desktop app's engine, without Electron: one server on one port for the app's whole life, and the
// session it serves, swapped when the user opens another configuration. Plain Node, tested as such.
import { existsSync } from 'node:fs'
import { ConfigError, formatIssue, type ConfigIssue } from '../engine/config/issues'
import { loadConfigFileOffThread } from '../engine/config/offThread'
import type { ResolvedConfig } from '../engine/config/types'
import { logger, type Logger } from '../engine/log'
import { HermesServer } from '../engine/server/server'
import type { OpenResult } from '../../shared/desktop'
import { Session } from '../engine/session'
import { Replay } from '../engine/replay/replay'
import { RECORDING_EXTENSION } from '../engine/recording/extension'
import { keepRetention, planRecording, retentionPass, type RecordingPlan } from '../engine/recording/plan'

/** What the host serves: a configuration's session, or a recording's replay (File > Open on a .mcap). */
type Served = Session | Replay

/** How the app records its runs (src/main/app/settings.ts keeps the user's choices). */
export interface RecordingPolicy {
  /** The runs folder: every run records a new file here, unless the YAML names its own path. */
  folder: string
  /** Record Runs: off records nothing (the YAML's `enabled: true` included, as --no-record does). */
  enabled: boolean
  /** Retention of `folder` by total size, oldest first, never the file being written; null keeps everything. */
  maxTotalBytes: number | null
}

export interface HostOptions {
  /** The port for the app's life; null takes the first configuration's server.port. */
  port: number | null
  host: string | null
  staticDir: string | null
  /** Origins besides the server's own that may connect (the dev server of `npm run dev`). */
  allowedOrigins: readonly string[]
  serverName: string
  log?: Logger
  /** How runs are recorded (a replay never is); absent: not recorded. setRecording changes it for the next run. */
  recording?: RecordingPolicy
}

export interface HostState {
  file: string
  url: string
  port: number
  /** The file the current run records into, or null (not recorded, or a replay). */
  recording: string | null
}

const format = (issues: readonly ConfigIssue[]): string[] => issues.map(formatIssue)

export class EngineHost {
  private readonly log: Logger
  private readonly listeners = new Set<(state: HostState) => void>()
  /** Opens run one at a time: a second open waits for the first to finish swapping. */
  private queue: Promise<unknown> = Promise.resolve()
  private policy: RecordingPolicy | null
  /** The current run's recording plan and its retention timer, or null. */
  private plan: RecordingPlan | null = null
  private retention: NodeJS.Timeout | null = null

  private constructor(
    private session: Served,
    readonly server: HermesServer,
    private file: string,
    options: HostOptions,
    plan: RecordingPlan | null
  ) {
    this.log = options.log ?? logger('app')
    this.policy = options.recording ?? null
    this.keep(plan)
  }

  /**
   * Starts a configuration's session, recorded as `policy` says (the same planning as `hermes run
   * --serve`, into the app's runs folder). A recording that cannot start is an error, as in the CLI.
   */
  private static async startSession(config: ResolvedConfig, policy: RecordingPolicy | null): Promise<{ session: Session; plan: RecordingPlan | null }> {
    let plan: RecordingPlan | null = null
    if (policy) {
      try {
        plan = planRecording(config, { record: policy.enabled ? undefined : false, folder: policy.folder, served: true, maxTotalBytes: policy.maxTotalBytes ?? Infinity })
      } catch (error) {
        throw new Error(`cannot record: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
      }
    }
    const session = await Session.start(config, { serving: true, ...(plan ? { recording: plan.options } : {}) })
    return { session, plan }
  }

  /** Retention for the run now served (cleared for the one before): at its start and every 30 s while it records. */
  private keep(plan: RecordingPlan | null): void {
    if (this.retention) clearInterval(this.retention)
    this.plan = plan
    this.retention = plan ? keepRetention(plan, (line) => this.log.info(line)) : null
  }

  /**
   * Loads the first configuration and starts its session and the server. A bad file or a taken port
   * rejects with an error that says so: there is nothing to keep running yet.
   */
  static async start(file: string, options: HostOptions): Promise<EngineHost> {
    const { config, warnings } = await loadConfigFileOffThread(file)
    const log = options.log ?? logger('app')
    for (const w of warnings) log.warn(formatIssue(w))
    const { session, plan } = await EngineHost.startSession(config, options.recording ?? null)
    let server: HermesServer
    try {
      server = await HermesServer.start({
        host: options.host ?? config.server.host,
        port: options.port ?? config.server.port,
        telemetryHz: config.server.telemetryHz,
        allowedOrigins: [...config.server.allowedOrigins, ...options.allowedOrigins],
        allowedHosts: config.server.allowedHosts,
        staticDir: options.staticDir,
        serverName: options.serverName,
        log: options.log
      })
    } catch (error) {
      await session.stop()
      throw error
    }
    server.bind(session)
    if (plan) log.info(`recording every frame to ${plan.options.file}`)
    return new EngineHost(session, server, config.file ?? file, options, plan)
  }

  get state(): HostState {
    return { file: this.file, url: this.server.url, port: this.server.port, recording: this.plan?.options.file ?? null }
  }

  /** The recording policy now: what the next run (Open, Reload) records by. */
  get recording(): RecordingPolicy | null {
    return this.policy
  }

  /**
   * Changes the policy for the next run: the current one goes on as it started (recorded or not). A new
   * retention limit applies to the runs folder at once (the file being written stays).
   */
  setRecording(policy: RecordingPolicy): void {
    this.policy = policy
    const inFolder = this.plan?.folder === policy.folder
    const limit = policy.maxTotalBytes ?? Infinity
    if (this.plan && inFolder) {
      this.plan = { ...this.plan, maxTotalBytes: limit }
      this.keep(this.plan)
    } else if (existsSync(policy.folder)) {
      // Not recording there now: one pass, which still leaves what another engine may be writing.
      retentionPass({ options: { file: '' }, folder: policy.folder, maxTotalBytes: limit }, (line) => this.log.info(line))
    }
  }

  get config(): ResolvedConfig {
    return this.session.config
  }

  onChange(listener: (state: HostState) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Opens another configuration. An invalid one changes nothing and reports every error with its line
   * and column; a valid one starts first, then replaces the running session, and every client gets its
   * schema on the same port.
   */
  open(file: string): Promise<OpenResult> {
    const next = this.queue.then(() => (file.toLowerCase().endsWith(RECORDING_EXTENSION) ? this.swapReplay(file) : this.swap(file)))
    this.queue = next.catch(() => undefined)
    return next
  }

  /**
   * Replays a recording in place of the current run, on the same port: clients get its schema, as on a
   * configuration change. One that cannot be replayed changes nothing and says why.
   */
  openRecording(file: string): Promise<OpenResult> {
    const next = this.queue.then(() => this.swapReplay(file))
    this.queue = next.catch(() => undefined)
    return next
  }

  private async swapReplay(file: string): Promise<OpenResult> {
    let replay: Replay
    try {
      replay = await Replay.open(file, { host: this.server.host, port: this.server.port })
    } catch (error) {
      this.log.warn(`not replaying ${file}; the current run continues`)
      return { ok: false, file, errors: [error instanceof Error ? error.message : String(error)], warnings: [] }
    }
    await this.replace(replay, file, null)
    return { ok: true, file, warnings: [] }
  }

  private async replace(next: Served, file: string, plan: RecordingPlan | null): Promise<void> {
    const previous = this.session
    this.session = next
    this.file = file
    this.keep(plan)
    this.server.bind(next)
    await previous.stop()
    this.log.info(`now ${next instanceof Replay ? 'replaying' : 'running'} ${this.file}${plan ? `, recording every frame to ${plan.options.file}` : ''}`)
    for (const listener of this.listeners) listener(this.state)
  }

  /** Opens the current file again: edits on disk take effect, and the run starts over. */
  reload(): Promise<OpenResult> {
    return this.open(this.file)
  }

  private async swap(file: string): Promise<OpenResult> {
    let loaded
    try {
      // Script and process modules are asked for the signals they declare, so a bad module is an error here too.
      loaded = await loadConfigFileOffThread(file)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      this.log.warn(`not opening ${file}: ${error.issues.length} error(s); the current run continues`)
      return { ok: false, file, errors: format(error.issues), warnings: format(error.warnings) }
    }
    let started: { session: Session; plan: RecordingPlan | null }
    try {
      started = await EngineHost.startSession(loaded.config, this.policy)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { ok: false, file, errors: [`${file}: cannot start: ${message}`], warnings: format(loaded.warnings) }
    }
    await this.replace(started.session, loaded.config.file ?? file, started.plan)
    return { ok: true, file: this.file, warnings: format(loaded.warnings) }
  }

  /** Stops the session and the server (clients get 1001). */
  async stop(): Promise<void> {
    await this.queue
    if (this.retention) clearInterval(this.retention)
    this.retention = null
    await this.server.stop()
    await this.session.stop()
  }
}
