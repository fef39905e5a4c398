// WebSocket has no CORS: a page from another origin could drive the simulation, so the upgrade checks Origin.

/**
 * Allowed: no Origin at all (scripts and native clients send none), the server's own origin (the console
 * it serves: the Origin's host:port equals the request's Host), or an origin on the allow-list.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true
  if (allowed.includes(origin) || allowed.includes('*')) return true
  try {
    return host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase()
  } catch {
    return false
  }
}
