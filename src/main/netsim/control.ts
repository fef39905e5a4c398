// The control endpoint under /netsim/ (seed 003's set_network_conditions, statistics and history, over HTTP).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isOriginAllowed } from '../engine/server/origin'
import type { NetworkConditions, PatchProblem } from './conditions'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export interface ConditionsView {
  profile: string
  conditions: NetworkConditions
  /** One line, as the proxy logs it. */
  description: string
}

/** What the endpoint can do to the proxy. */
export interface Controllable {
  conditionsView(): ConditionsView
  updateConditions(patch: unknown): { ok: true; view: ConditionsView } | { ok: false; problems: PatchProblem[] }
  statsJson(): unknown
  /** The recording as JSON text in pieces: streamed, so a history of any size can be served. */
  recordingChunks(): Iterable<string>
  clearRecording(): void
  /** Forces a disconnect of one client, or of every client when null; returns the ids cut off. */
  disconnect(client: number | null): number[]
}

export const CONTROL_PREFIX = '/netsim'
const MAX_BODY_BYTES = 64 * 1024

const ROUTES = {
  'GET /netsim/conditions': 'the current conditions and profile',
  'PUT /netsim/conditions': 'change conditions: a JSON object in the profile format (keys left out keep their value)',
  'GET /netsim/stats': 'statistics as JSON',
  'GET /netsim/recording': 'the message history in the recording format',
  'DELETE /netsim/recording': 'clear the history',
  'POST /netsim/disconnect': 'force a disconnect now: {"client": <id>} or {} for every client'
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`${JSON.stringify(body, null, 1)}\n`)
}

function readJson(req: IncomingMessage): Promise<{ ok: true; data: unknown } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('error', (error) => resolve({ ok: false, error: error.message }))
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return resolve({ ok: false, error: `body larger than ${MAX_BODY_BYTES} bytes` })
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve({ ok: true, data: text.trim() === '' ? {} : (JSON.parse(text) as unknown) })
      } catch (error) {
        resolve({ ok: false, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` })
      }
    })
  })
}

export async function handleControl(target: Controllable, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Another site's page must not steer the link: refuse foreign origins, and require a JSON body type for
  // changes, which a browser can only send cross-origin after a preflight that this endpoint never grants.
  if (!isOriginAllowed(req.headers.origin, req.headers.host, [])) return json(res, 403, { error: 'origin not allowed' })
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '')
  const method = req.method ?? 'GET'
  const mutating = method !== 'GET' && method !== 'HEAD'
  if (mutating && method !== 'DELETE' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return json(res, 415, { error: 'send the body as Content-Type: application/json' })
  }
  const route = `${method === 'PATCH' ? 'PUT' : method} ${path}`
  switch (route) {
    case 'GET /netsim':
      return json(res, 200, { endpoints: ROUTES })
    case 'GET /netsim/conditions':
      return json(res, 200, target.conditionsView())
    case 'PUT /netsim/conditions': {
      const body = await readJson(req)
      if (!body.ok) return json(res, 400, { error: body.error })
      const result = target.updateConditions(body.data)
      if (!result.ok) return json(res, 400, { error: 'invalid conditions', problems: result.problems.map((p) => ({ path: p.path.join('.'), message: p.message })) })
      return json(res, 200, result.view)
    }
    case 'GET /netsim/stats':
      return json(res, 200, target.statsJson())
    case 'GET /netsim/recording':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      // Piped with backpressure: a chunk is made only when the client has taken the one before.
      return pipeline(Readable.from(target.recordingChunks(), { objectMode: false }), res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : undefined)
      })
    case 'DELETE /netsim/recording':
      target.clearRecording()
      res.writeHead(204).end()
      return
    case 'POST /netsim/disconnect': {
      const body = await readJson(req)
      if (!body.ok) return json(res, 400, { error: body.error })
      const data = body.data
      const client = typeof data === 'object' && data !== null && 'client' in data ? (data as { client: unknown }).client : undefined
      if (client !== undefined && !Number.isInteger(client)) return json(res, 400, { error: "'client' must be a client id (an integer)" })
      return json(res, 200, { disconnected: target.disconnect(client === undefined ? null : (client as number)) })
    }
    default: {
      const known = Object.keys(ROUTES).filter((r) => r.endsWith(` ${path}`))
      if (known.length > 0) return json(res, 405, { error: `${method} not allowed on ${path}; use ${known.map((r) => r.split(' ')[0]).join(' or ')}` })
      return json(res, 404, { error: `no such endpoint: ${path}`, endpoints: ROUTES })
    }
  }
}
