// `?server=` in the console's address: a link can point the console at any server, so following one to
// another host asks the user first; the connect dialog's choice counts as asked.

/** The parts of a page location these decisions read (a `Location` fits). */
export interface PageLocation {
  protocol: string
  host: string
  hostname: string
  search: string
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i
const CONSENT_KEY = 'hermes.attach'

/** The server that served the page (or the default one when the page is not served over HTTP). */
export function ownServerUrl(location: PageLocation): string {
  if (location.protocol === 'http:' || location.protocol === 'https:') return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
  return 'ws://127.0.0.1:8765'
}

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return null
  }
}

/**
 * Whether connecting to `serverUrl` from this page needs the user's consent: it does when the server is
 * on another host than the page (loopback names count as one host; the port does not matter: the same
 * machine is the one the user already chose), or when it cannot be parsed.
 */
export function needsConsent(serverUrl: string, location: PageLocation): boolean {
  const target = hostnameOf(serverUrl)
  if (target === null) return true
  const page = location.hostname.toLowerCase()
  if (target === page) return false
  if (LOOPBACK.test(target) && (LOOPBACK.test(page) || page === '')) return false
  return true
}

export interface ConsentStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Remembers, for this tab, that the user chose `url` in the connect dialog (so the reload does not ask again). */
export function rememberConsent(url: string, store: ConsentStore): void {
  store.setItem(CONSENT_KEY, url)
}

/**
 * Where the console connects first: `?server=` when it names this host, or when the user chose it in the
 * connect dialog of this tab, or when the user agrees now; else the server that served the page.
 */
export function initialServer(location: PageLocation, confirm: (message: string) => boolean, store: ConsentStore | null): string {
  const own = ownServerUrl(location)
  const asked = new URLSearchParams(location.search).get('server')
  if (!asked) return own
  if (!needsConsent(asked, location)) return asked
  if (store?.getItem(CONSENT_KEY) === asked) return asked
  const ok = confirm(`This address asks the console to connect to another server:\n\n${asked.slice(0, 200)}\n\nConnect to it? Cancel connects to ${own} instead.`)
  return ok ? asked : own
}

/**
 * What the connect dialog does in a browser: the page's Content-Security-Policy lets it connect only to
 * the server that served it and to the `?server=` it was opened with, so another server means loading the
 * console again with `?server=` (returned here); null means connect in place.
 */
export function reloadFor(url: string, location: PageLocation & { pathname: string }): string | null {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return null
  try {
    const target = new URL(url)
    if (target.host === location.host) return null
    const current = new URLSearchParams(location.search).get('server')
    if (current !== null && new URL(current).host === target.host) return null
  } catch {
    return null
  }
  return `${location.pathname}?server=${encodeURIComponent(url)}`
}
