// Plain HTTP requests to the proxy go on to the target unchanged, so a console it serves loads through the proxy too.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Logger } from '../engine/log'
import { boundedText } from '../../shared/text/bounded'

/** The target's HTTP origin for a ws:// or wss:// URL: http://host:port or https://host:port. */
export function httpOrigin(target: URL): string {
  return `${target.protocol === 'wss:' ? 'https:' : 'http:'}//${target.host}`
}

/**
 * The address on `origin` for a request target, or null when the request target is not a plain path.
 * The path is appended to the origin as text, never resolved against it: `//elsewhere:80/x` resolved as a
 * URL would name another host, and the proxy must only ever connect to its target.
 */
export function onOrigin(origin: string, requestTarget: string | undefined): URL | null {
  const path = requestTarget ?? '/'
  if (!path.startsWith('/')) return null
  let url: URL
  try {
    url = new URL(`${origin}${path}`)
  } catch {
    return null
  }
  return url.origin === new URL(origin).origin ? url : null
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(body)
}

/**
 * Forwards one request. Conditions are not applied: they model the WebSocket link the console
 * depends on, while page loads only need to work. Only origin-form requests (a path) are forwarded,
 * only to the target, and a failure says no more to the client than that the target did not answer.
 */
export function forwardHttp(target: URL, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const url = onOrigin(httpOrigin(target), req.url)
  if (!url) return plain(res, 400, 'netsim: only a path on the target can be requested through the proxy\n')
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const upstream = send(url, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', (error) => {
    // The details stay in the proxy's log: reported to the client, connect errors would map the network.
    log.warn(`HTTP ${boundedText(req.method ?? '?', 16)} ${boundedText(url.pathname, 200)}: the target did not answer: ${error.message}`)
    if (res.headersSent) {
      res.destroy()
      return
    }
    plain(res, 502, 'netsim: the target did not answer\n')
  })
  req.pipe(upstream)
}
