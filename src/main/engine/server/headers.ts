// Security headers on every HTTP response of the server: the console cannot be framed, and its page may
// connect only to this server (or to the one named by the `?server=` the page was opened with).

/** A Host header value fit to be written into a header: a DNS name or bracketed IPv6, optional port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i
/** `ws://host[:port]` or `wss://…`: the origin a `?server=` names, nothing else. */
const SERVER_ORIGIN = /^wss?:\/\/(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i

/** The ws:// origin of `?server=` in a request path, if it names one; anything else gives null. */
export function serverParamOrigin(path: string | undefined): string | null {
  if (!path?.includes('server=')) return null
  let value: string | null
  try {
    value = new URL(path, 'http://localhost').searchParams.get('server')
  } catch {
    return null
  }
  if (!value) return null
  try {
    const url = new URL(value)
    const origin = `${url.protocol}//${url.host}`
    return SERVER_ORIGIN.test(origin) ? origin : null
  } catch {
    return null
  }
}

/**
 * The headers for one response. `host` is the request's Host header once it passed the Host check
 * (undefined otherwise); `path` its URL. connect-src is `'self'` plus the ws:// and wss:// forms of the
 * Host (browsers differ on whether 'self' covers ws:), plus the `?server=` origin of this page, which
 * the console only connects to after asking (src/renderer/src/connection/connection.ts).
 */
export function securityHeaders(host: string | undefined, path: string | undefined): Record<string, string> {
  const connect = ["'self'"]
  if (host !== undefined && HOST.test(host)) connect.push(`ws://${host}`, `wss://${host}`)
  const other = serverParamOrigin(path)
  if (other !== null && !connect.includes(other)) connect.push(other)
  return {
    'Content-Security-Policy': `default-src 'self'; connect-src ${connect.join(' ')}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin'
  }
}
