import { describe, expect, it } from 'vitest'
import { initialServer, needsConsent, reloadFor, rememberConsent, type PageLocation } from './serverParam'

const page = (host: string, search = '', protocol = 'http:'): PageLocation & { pathname: string } => ({
  protocol,
  host,
  hostname: host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''),
  search,
  pathname: '/'
})

function memory(): { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const m = new Map<string, string>()
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) }
}

describe('?server= consent', () => {
  it('asks only for another host: the same host or loopback names on any port connect at once', () => {
    expect(needsConsent('ws://127.0.0.1:9000', page('127.0.0.1:8765'))).toBe(false)
    expect(needsConsent('ws://127.0.0.1:8765', page('localhost:5173'))).toBe(false)
    expect(needsConsent('ws://[::1]:8765', page('localhost:5173'))).toBe(false)
    expect(needsConsent('ws://sim.lab:8765', page('sim.lab:8765'))).toBe(false)
    expect(needsConsent('ws://evil.example:8765', page('127.0.0.1:8765'))).toBe(true)
    expect(needsConsent('ws://127.0.0.1:8765', page('sim.lab:8765'))).toBe(true)
    expect(needsConsent('not a url', page('127.0.0.1:8765'))).toBe(true)
  })

  it('follows the link when the user agrees, connects to its own server when not, and asks nothing without ?server=', () => {
    const asked: string[] = []
    const yes = (m: string) => (asked.push(m), true)
    const no = (m: string) => (asked.push(m), false)
    const link = page('127.0.0.1:8765', `?server=${encodeURIComponent('ws://evil.example:1')}`)
    expect(initialServer(link, yes, null)).toBe('ws://evil.example:1')
    expect(initialServer(link, no, null)).toBe('ws://127.0.0.1:8765')
    expect(asked).toHaveLength(2)
    expect(asked[0]).toContain('ws://evil.example:1')
    expect(initialServer(page('127.0.0.1:8765'), no, null)).toBe('ws://127.0.0.1:8765')
    expect(initialServer(page('127.0.0.1:8765', '?server=ws%3A%2F%2F127.0.0.1%3A9000'), no, null)).toBe('ws://127.0.0.1:9000')
    expect(initialServer(page('x', '', 'file:'), no, null)).toBe('ws://127.0.0.1:8765')
    expect(asked).toHaveLength(2)
  })

  it("does not ask again for the server the user chose in this tab's connect dialog, only for that one", () => {
    const store = memory()
    rememberConsent('ws://sim.lab:8765', store)
    const never = () => {
      throw new Error('asked')
    }
    expect(initialServer(page('127.0.0.1:8765', `?server=${encodeURIComponent('ws://sim.lab:8765')}`), never, store)).toBe('ws://sim.lab:8765')
    expect(initialServer(page('127.0.0.1:8765', `?server=${encodeURIComponent('ws://other.lab:8765')}`), () => false, store)).toBe('ws://127.0.0.1:8765')
  })

  it('has the dialog reload with ?server= for a server the page policy does not cover, and connect in place otherwise', () => {
    expect(reloadFor('ws://sim.lab:8765', page('127.0.0.1:8765'))).toBe(`/?server=${encodeURIComponent('ws://sim.lab:8765')}`)
    expect(reloadFor('ws://127.0.0.1:8765', page('127.0.0.1:8765'))).toBeNull()
    expect(reloadFor('ws://sim.lab:8765', page('127.0.0.1:8765', `?server=${encodeURIComponent('ws://sim.lab:8765')}`))).toBeNull()
    expect(reloadFor('ws://sim.lab:8765', page('x', '', 'file:'))).toBeNull()
  })
})
