// The client's connect contract against a scripted server: what it has when connect resolves.
import { describe, expect, it } from 'vitest'
import { HermesClient, type WebSocketLike } from './hermesClient'

type Listener = (event: never) => void

/** A socket whose server side the test drives: `serve` pushes a server message, `sent` holds what the client sent. */
class ScriptedSocket implements WebSocketLike {
  binaryType = 'blob'
  readyState = 0
  readonly sent: Record<string, unknown>[] = []
  private readonly listeners = new Map<string, Listener[]>()
  onSend: (message: Record<string, unknown>) => void = () => undefined

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  send(data: string): void {
    const message = JSON.parse(data) as Record<string, unknown>
    this.sent.push(message)
    this.onSend(message)
  }
  close(): void {
    this.readyState = 3
  }
  open(): void {
    this.readyState = 1
    for (const l of this.listeners.get('open') ?? []) (l as (e: object) => void)({})
  }
  serve(message: object): void {
    for (const l of this.listeners.get('message') ?? []) (l as (e: { data: string }) => void)({ data: JSON.stringify(message) })
  }
}

const PLAIN = { type: 'schema', modules: { m: { signals: [{ name: 'x', type: 'f64' }] } } }
const EXTENDED = { ...PLAIN, run_id: 'run-1', config: 'demo.yaml' }
const HELLO_ACK = { type: 'ack', action: 'hello', server: 'test', extensions: ['schema', 'ids'], actions: ['pause'] }

function connectTo(script: (socket: ScriptedSocket) => void): { socket: ScriptedSocket; connected: Promise<HermesClient> } {
  let socket: ScriptedSocket | null = null
  const connected = HermesClient.connect('ws://scripted', {
    WebSocket: class {
      constructor() {
        socket = new ScriptedSocket()
        script(socket)
        return socket
      }
    } as never,
    timeoutMs: 2000
  })
  return { socket: socket!, connected }
}

describe('HermesClient.connect', () => {
  it('resolves with the extended schema when the server sends it some time after the hello ack', async () => {
    let resolved = false
    const { socket, connected } = connectTo((s) => {
      s.onSend = (m) => {
        if (m.action !== 'hello') return
        s.serve({ ...HELLO_ACK, id: m.id })
        // The server's extended schema comes later (it asks the scheduler for the frame first).
        setTimeout(() => {
          expect(resolved).toBe(false)
          s.serve(EXTENDED)
        }, 20)
      }
    })
    socket.open()
    socket.serve(PLAIN)
    void connected.then(() => (resolved = true))
    const client = await connected
    expect(client.extended).toBe(true)
    expect(client.schema.run_id).toBe('run-1')
    expect(client.schema.config).toBe('demo.yaml')
  })

  it('does not wait for a schema against a server that takes hello without the schema extension', async () => {
    const { socket, connected } = connectTo((s) => {
      s.onSend = (m) => {
        if (m.action === 'hello') s.serve({ ...HELLO_ACK, extensions: ['ids'], id: m.id })
      }
    })
    socket.open()
    socket.serve(PLAIN)
    const client = await connected
    expect(client.extended).toBe(true)
    expect(client.schema.run_id).toBeUndefined()
  })

  it('does not wait against a seed 000 server, which answers hello with an error', async () => {
    const { socket, connected } = connectTo((s) => {
      s.onSend = (m) => {
        if (m.action === 'hello') s.serve({ type: 'error', message: 'Unknown action: hello' })
      }
    })
    socket.open()
    socket.serve(PLAIN)
    const client = await connected
    expect(client.extended).toBe(false)
    expect(client.schema).toEqual(PLAIN)
  })

  it('delivers an event that came while connecting to the listeners of the resolved client, before any newer one', async () => {
    const fault = { type: 'event', event: 'error', module: 'm', message: 'exited with code 3 during step', frame: 40 }
    const { socket, connected } = connectTo((s) => {
      s.onSend = (m) => {
        if (m.action !== 'hello') return
        // The module fails after the first schema, before the caller could listen.
        s.serve(fault)
        s.serve({ ...HELLO_ACK, id: m.id })
        s.serve(EXTENDED)
      }
    })
    socket.open()
    socket.serve(PLAIN)
    const client = await connected
    const got: unknown[] = []
    client.on('event', (e) => got.push(e))
    socket.serve({ type: 'event', event: 'paused' })
    await new Promise((r) => setTimeout(r, 10))
    expect(got).toEqual([fault, { type: 'event', event: 'paused' }])
  })
})
