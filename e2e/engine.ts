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

export class Engine {
  private child: ChildProcess | null = null
  output = ''

  constructor(
    readonly config: string,
    readonly port: number,
    private readonly extraArgs: string[] = []
  ) {}

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

  start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'run', this.config, '--port', String(this.port), ...this.extraArgs], { env: { ...process.env, HERMES_LOG: 'warn' } })
    this.child = child
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString()
        if (this.output.includes(`serving ws://127.0.0.1:${this.port}`)) resolve()
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}: ${this.output}`)))
    })
  }

  /** Kills the engine the hard way, as a crash would. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    this.child = null
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
    this.child = null
  }
}
