// DNS rebinding defence: a page can make its own name resolve to 127.0.0.1 and then control both the Origin
// and the Host header of its requests, so a request is served only when its Host names this server.
import { hostname, networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']
const WILDCARDS = new Set(['0.0.0.0', '::', ''])

/** The host part of a Host header (`name:port`, `[v6]:port`, `name`), lower-case, brackets removed. */
export function hostOfHeader(header: string): string | null {
  const value = header.trim().toLowerCase()
  if (value.startsWith('[')) {
    const end = value.indexOf(']')
    if (end < 0) return null
    const rest = value.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null
    return value.slice(1, end)
  }
  const colon = value.indexOf(':')
  if (colon >= 0 && !/^\d{1,5}$/.test(value.slice(colon + 1))) return null
  const name = colon >= 0 ? value.slice(0, colon) : value
  return name === '' ? null : name.replace(/\.$/, '')
}

/**
 * The names a Host header may carry for a server bound to `bindHost`: loopback names, the bound address,
 * the machine's name and addresses when bound to every interface, and the configured `allowed_hosts`
 * (`*` accepts any, for a server behind a reverse proxy that checks names itself).
 */
export class HostCheck {
  private readonly names: Set<string>
  private readonly any: boolean

  constructor(bindHost: string, allowedHosts: readonly string[] = []) {
    const names = new Set(LOOPBACK_NAMES)
    const bound = bindHost.toLowerCase().replace(/^\[|\]$/g, '')
    if (WILDCARDS.has(bound)) {
      const machine = hostname().toLowerCase()
      names.add(machine)
      names.add(`${machine}.local`)
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''))
    } else {
      names.add(bound)
    }
    for (const h of allowedHosts) names.add(hostOfHeader(h) ?? h.toLowerCase())
    this.any = allowedHosts.includes('*')
    this.names = names
  }

  /** A request with no Host header (HTTP/1.0 tools) is allowed: a browser always sends one. */
  allows(header: string | undefined): boolean {
    if (header === undefined || this.any) return true
    const host = hostOfHeader(header)
    return host !== null && this.names.has(host)
  }
}
