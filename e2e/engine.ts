// Starts the real headless engine (the built CLI) for a spec, and can kill and restart it on the same port.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

const ROOT = join(__dirname, '..')
const CLI = join(ROOT, 'out', 'main', 'cli.js')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A `hermes` command running in its own process, ready once its output contains `ready`. */
class CliProcess {
  private child: ChildProcess | null = null
  output = ''

  constructor(
    private readonly args: () => string[],
    private readonly ready: () => string
  ) {}

  start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, ...this.args()], { env: { ...process.env, HERMES_LOG: 'warn' } })
    this.child = child
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString()
        if (this.output.includes(this.ready())) resolve()
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => reject(new Error(`hermes ${this.args()[0]} exited with ${code}: ${this.output}`)))
    })
  }

  /** Kills the process the hard way, as a crash would. */
  async kill(): Promise<void> {
    await this.end('SIGKILL')
  }

  async stop(): Promise<void> {
    await this.end('SIGTERM')
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill(signal)
    await exited
    this.child = null
  }
}

/** `hermes run` on a configuration, serving the console on a port of its own. */
export class Engine extends CliProcess {
  constructor(
    readonly config: string,
    readonly port: number,
    extraArgs: string[] = []
  ) {
    super(
      () => ['run', config, '--port', String(port), ...extraArgs],
      () => `serving ws://127.0.0.1:${port}`
    )
  }

  static async start(config: string, extraArgs: string[] = []): Promise<Engine> {
    const engine = new Engine(join(ROOT, config), await freePort(), extraArgs)
    await engine.start()
    return engine
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`
  }
}

/** `hermes netsim` in front of an engine: the console loads and connects through it. */
export class Netsim extends CliProcess {
  constructor(
    readonly target: Engine,
    readonly port: number,
    profile: string,
    seed: number
  ) {
    super(
      () => ['netsim', '--target', target.wsUrl, '--port', String(port), '--profile', profile, '--seed', String(seed)],
      () => 'control at'
    )
  }

  static async start(target: Engine, profile: string, seed = 1): Promise<Netsim> {
    const netsim = new Netsim(target, await freePort(), profile, seed)
    await netsim.start()
    return netsim
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`
  }

  /** Cuts every proxied connection now, as a network failure would. */
  async disconnect(): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.port}/netsim/disconnect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    if (!res.ok) throw new Error(`netsim disconnect: HTTP ${res.status}`)
  }
}
