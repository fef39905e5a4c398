// Plain HTTP requests to the proxy go on to the target unchanged, so a console it serves loads through the proxy too.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** The target's HTTP origin for a ws:// or wss:// URL: http://host:port or https://host:port. */
export function httpOrigin(target: URL): string {
  return `${target.protocol === 'wss:' ? 'https:' : 'http:'}//${target.host}`
}

/**
 * Forwards one request. Conditions are not applied: they model the WebSocket link the console
 * depends on, while page loads only need to work.
 */
export function forwardHttp(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', httpOrigin(target))
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const upstream = send(url, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`netsim: the target ${url.origin} did not answer: ${error.message}\n`)
  })
  req.pipe(upstream)
}
