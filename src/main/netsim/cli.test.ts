// `hermes netsim` and `hermes netsim inspect` in child processes, in front of `hermes run`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { request } from 'node:http'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadRecording, type RecordingFile } from './recording'
import { CLI } from '../cli/testing'
import { ENGINE_YAML, eventually, TapClient } from './testing'

const ROOT = resolve(__dirname, '..', '..', '..')
const env = { ...process.env, HERMES_LOG: 'warn' }
const dir = mkdtempSync(join(tmpdir(), 'netsim-cli-'))
const children: ChildProcess[] = []

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
})

function hermes(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 30_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Running {
  child: ChildProcess
  port: number
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

/** Starts `hermes <args>` and resolves once its output names the port it listens on. */
function start(args: string[], portPattern: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env })
  children.push(child)
  let stdout = ''
  let stderr = ''
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return new Promise((resolvePort, reject) => {
    const check = (): void => {
      const match = portPattern.exec(stderr)
      if (match) resolvePort({ child, port: Number(match[1]), stdout: () => stdout, stderr: () => stderr, exited })
    }
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      check()
    })
    void exited.then((code) => reject(new Error(`hermes ${args[0]} exited with ${code}: ${stderr}`)))
  })
}

/** The status of GET /netsim/stats with the given Host header (fetch does not let a test set one). */
function statusFor(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/netsim/stats', headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('hermes netsim', () => {
  it('proxies a running engine with a YAML profile, and at SIGTERM closes clients with 1001, prints and writes stats and the recording', async () => {
    const config = join(dir, 'engine.yaml')
    writeFileSync(config, ENGINE_YAML(30))
    const engine = await start(['run', config, '--port', '0'], /serving ws:\/\/127\.0\.0\.1:(\d+)/)
    const profileFile = join(dir, 'slow.yaml')
    writeFileSync(profileFile, 'name: slow\nlatency_ms: 40\n')
    const record = join(dir, 'out.json')
    const statsFile = join(dir, 'stats.json')
    const args = ['netsim', '--target', `ws://127.0.0.1:${engine.port}`, '--port', '0', '--profile', profileFile, '--seed', '7', '--record', record, '--stats-json', statsFile, '--record-bytes', '--stats-interval', '0.5']
    const netsim = await start(args, /proxying ws:\/\/127\.0\.0\.1:(\d+)[\s\S]*Ctrl\+C stops/)
    expect(netsim.stderr()).toContain('profile slow: 40 ms, unlimited, 0% loss, no disconnects; seed 7')

    const client = await TapClient.open(`ws://127.0.0.1:${netsim.port}`)
    await client.text((j) => j.type === 'schema')
    await client.ping(15_000)
    client.send({ action: 'subscribe', params: { signals: ['vehicle.*'] } })
    client.send('garbage')
    await client.text((j) => j.type === 'error')
    await client.until(() => client.binaries().length >= 3)

    await eventually(() => /^DIRECTION\s+MESSAGES/m.test(netsim.stderr()), 15_000) // --stats-interval prints while it runs
    netsim.child.kill('SIGTERM')
    expect(await client.closed).toBe(1001)
    expect(await netsim.exited).toBe(0)
    expect(netsim.stdout()).toMatch(/^DIRECTION\s+MESSAGES\s+BYTES\s+DELIVERED\s+DROPPED/m)
    expect(netsim.stdout()).toMatch(/disconnections: 0 by client, 0 by target, 0 forced, 1 at shutdown/)
    expect(netsim.stderr()).toContain('stopped cleanly')

    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, unknown>
    expect(stats).toMatchObject({ profile: 'slow', seed: 7, connections: { total: 1, open: 0 }, validation_errors: 1 })
    expect(existsSync(record)).toBe(true)

    const inspect = hermes('netsim', 'inspect', record)
    expect(inspect.status).toBe(0)
    const lines = inspect.stdout.split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^client->server\s+ping\s+1\s/))
    expect(lines).toContainEqual(expect.stringMatching(/^server->client\s+HERT\s+\d+\s/))
    expect(lines).toContain('errors: 1')
    const json = JSON.parse(hermes('netsim', 'inspect', '--json', record).stdout) as { kind: string; label: string; direction: string; data?: string; added_ms?: number }[]
    // The profile's 40 ms, as the proxy decided it for the ping and for its pong.
    expect(json.find((m) => m.label === 'ping')?.added_ms).toBeGreaterThanOrEqual(40)
    expect(json.find((m) => m.label === 'pong')?.added_ms).toBeGreaterThanOrEqual(40)
    const bytes = Buffer.from(json.find((m) => m.kind === 'binary')?.data ?? '', 'base64')
    expect(bytes.readUInt32LE(0)).toBe(0x48455254) // the HERT magic, kept byte for byte
    engine.child.kill('SIGTERM')
    await engine.exited
  }, 60_000)

  it('keeps a big history within --history-bytes, serves it whole over HTTP, and writes it whole at exit', async () => {
    const config = join(dir, 'quiet.yaml')
    writeFileSync(config, ENGINE_YAML(30))
    const engine = await start(['run', config, '--port', '0'], /serving ws:\/\/127\.0\.0\.1:(\d+)/)
    const record = join(dir, 'big.json')
    const args = ['netsim', '--target', `ws://127.0.0.1:${engine.port}`, '--port', '0', '--profile', 'perfect', '--record', record, '--history-bytes', '4000000', '--history-message-bytes', '50000', '--allowed-host', 'console.lan']
    const netsim = await start(args, /proxying ws:\/\/127\.0\.0\.1:(\d+)[\s\S]*Ctrl\+C stops/)
    const client = await TapClient.open(`ws://127.0.0.1:${netsim.port}`)
    await client.text((j) => j.type === 'schema')
    const sent = 150
    for (let i = 0; i < sent; i++) client.send({ action: `big${i}`, pad: 'p'.repeat(300_000) })
    await client.until(() => client.texts().filter((t) => t.type === 'error').length === sent, 60_000, 'every error reply')

    // --allowed-host adds a name to the Host check; others are still refused.
    expect(await statusFor(netsim.port, 'console.lan')).toBe(200)
    expect(await statusFor(netsim.port, 'rebound.example')).toBe(403)
    const res = await fetch(`http://127.0.0.1:${netsim.port}/netsim/recording`)
    expect(res.status).toBe(200)
    const served = JSON.parse(await res.text()) as RecordingFile
    netsim.child.kill('SIGTERM')
    expect(await netsim.exited).toBe(0)
    const written = loadRecording(record)
    for (const r of [served, written]) {
      expect(r.max_bytes).toBe(4_000_000)
      expect(r.recorded).toBe(2 * sent + 1) // the schema, each command and its error reply
      expect(r.evicted).toBe(r.recorded - r.messages.length)
      expect(r.evicted).toBeGreaterThan(0)
      expect(r.messages.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0)).toBeLessThanOrEqual(4_000_000)
      const command = r.messages.find((m) => m.direction === 'client_to_server')!
      expect(command).toMatchObject({ truncated: true })
      expect(command.bytes).toBeGreaterThan(300_000)
      expect(Buffer.byteLength(command.text!)).toBe(50_000)
    }
    expect(written.messages.map((m) => m.seq)).toEqual(served.messages.map((m) => m.seq))
    expect(netsim.stderr()).toMatch(new RegExp(`wrote ${written.messages.length} messages \\(\\d+ bytes\\) to `))
    engine.child.kill('SIGTERM')
    await engine.exited
  }, 120_000)

  it('exits 1 on a bad profile with file, line and column, and on a file that is not a recording', () => {
    const profileFile = join(dir, 'bad.yaml')
    writeFileSync(profileFile, 'latency_ms: 10\njitter: 5\n')
    const r = hermes('netsim', '--profile', profileFile, '--port', '0')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${profileFile}:2:1: jitter: unknown key 'jitter'`)
    const notRecording = join(dir, 'not.json')
    writeFileSync(notRecording, '[]')
    const i = hermes('netsim', 'inspect', notRecording)
    expect(i.status).toBe(1)
    expect(i.stderr).toContain('not a netsim recording')
  })
})
