// The console's connection manager against a scripted server on loopback: seed 002's reconnect rules and
// the readouts that depend on the link.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'

type Behaviour = (socket: WebSocket) => void

/** A server that sends a schema, answers subscribe, refuses hello as seed 000 does, then does `next`. */
class ScriptedServer {
  readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  connections = 0
  sockets: WebSocket[] = []
  behaviour: Behaviour = () => undefined

  constructor() {
    this.wss.on('connection', (socket) => {
      this.connections++
      this.sockets.push(socket)
      socket.send(JSON.stringify({ type: 'schema', modules: { v: { signals: [{ name: 'x', type: 'f64' }] } } }))
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { action: string; params?: { signals?: string[] } }
        if (msg.action === 'subscribe') socket.send(JSON.stringify({ type: 'ack', action: 'subscribe', count: msg.params?.signals?.length ?? 0, signals: msg.params?.signals ?? [] }))
        else socket.send(JSON.stringify({ type: 'error', message: `Unknown action: ${msg.action}` }))
      })
      this.behaviour(socket)
    })
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.terminate()
    return new Promise((r) => this.wss.close(() => r()))
  }
}

const until = async (what: () => boolean, label: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

let mod: typeof import('./connection')
let store: typeof import('../store/store')
const servers: ScriptedServer[] = []

beforeAll(async () => {
  Object.assign(globalThis, { WebSocket })
  mod = await import('./connection')
  store = await import('../store/store')
})

afterEach(async () => {
  mod.connection.disconnect()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

afterAll(() => mod.connection.disconnect())

async function server(): Promise<ScriptedServer> {
  const s = new ScriptedServer()
  servers.push(s)
  await new Promise((r) => s.wss.once('listening', r))
  return s
}

const link = () => store.useConsole.getState().link

describe('connection manager', () => {
  it('reconnects after a lost link, and a successful connection resets the attempt counter', async () => {
    const s = await server()
    mod.connection.connect(s.url)
    await until(() => link().status === 'connected', 'connected')
    expect(link().everConnected).toBe(true)
    store.useConsole.getState().setRun({ state: 'running' })
    s.sockets[0]!.terminate()
    await until(() => link().status === 'retrying', 'retrying')
    expect(link().attempt).toBe(1)
    // While down the run state is not known, and is not shown as the last one.
    expect(store.useConsole.getState().run.state).toBe('unknown')
    await until(() => link().status === 'connected', 'reconnected')
    expect(link().attempt).toBe(0)
    expect(s.connections).toBe(2)
    s.sockets[1]!.terminate()
    await until(() => link().status === 'retrying', 'retrying again')
    expect(link().attempt).toBe(1)
  })

  for (const code of [1000, 1008]) {
    it(`does not reconnect after the server closes with ${code}`, async () => {
      const s = await server()
      s.behaviour = (socket) => setTimeout(() => socket.close(code, 'scripted'), 200)
      mod.connection.connect(s.url)
      await until(() => link().status === 'failed', 'failed')
      expect(link().message).toContain('not reconnecting')
      // A retry would come after 3 s: wait past it and count the connections the server saw.
      await new Promise((r) => setTimeout(r, 4000))
      expect(s.connections).toBe(1)
      expect(link().status).toBe('failed')
    })
  }

  it('a console that never got through says where and why, in the log', async () => {
    const s = await server()
    const url = s.url
    await s.close()
    servers.splice(0)
    mod.connection.connect(url)
    await until(() => link().status === 'retrying', 'retrying')
    expect(link().everConnected).toBe(false)
    const log = store.useConsole.getState().log.map((e) => e.text)
    expect(log.some((t) => t.startsWith(`cannot connect to ${url}: `))).toBe(true)
  })
})

describe('subscription budget', () => {
  it('takes every plotted signal, then the schema in order up to the budget, in schema order', () => {
    const schema = ['a', 'b', 'c', 'd', 'e']
    expect(mod.subscriptionFor([], schema, 3)).toEqual(['a', 'b', 'c'])
    expect(mod.subscriptionFor(['e'], schema, 3)).toEqual(['a', 'b', 'e'])
    expect(mod.subscriptionFor(['b'], schema, 3)).toEqual(['a', 'b', 'c'])
    expect(mod.subscriptionFor(['e', 'd', 'c', 'b'], schema, 3)).toEqual(['b', 'c', 'd', 'e'])
    expect(mod.subscriptionFor(['gone'], schema, 0)).toEqual([])
  })
})
