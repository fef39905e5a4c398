import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { HostCheck, hostOfHeader } from './hostCheck'

describe('Host header check', () => {
  it('takes the host out of name:port, [v6]:port and bare forms', () => {
    expect(hostOfHeader('LocalHost:8765')).toBe('localhost')
    expect(hostOfHeader('[::1]:8765')).toBe('::1')
    expect(hostOfHeader('127.0.0.1')).toBe('127.0.0.1')
    expect(hostOfHeader('example.test.:80')).toBe('example.test')
    expect(hostOfHeader('a:b')).toBeNull()
    expect(hostOfHeader('[::1')).toBeNull()
    expect(hostOfHeader(':80')).toBeNull()
  })

  it('allows loopback names and the bound address, and refuses a rebinding name', () => {
    const check = new HostCheck('127.0.0.1')
    for (const ok of ['localhost:8765', '127.0.0.1:8765', '[::1]:8765', undefined]) expect(check.allows(ok)).toBe(true)
    for (const bad of ['rebind.test:8765', 'evil.example', '127.0.0.1.evil.example:8765', '', 'localhost:x']) expect(check.allows(bad)).toBe(false)
    expect(new HostCheck('192.0.2.7').allows('192.0.2.7:1')).toBe(true)
  })

  it('allows the machine name when bound to every interface, and configured names', () => {
    expect(new HostCheck('0.0.0.0').allows(`${hostname()}:8765`)).toBe(true)
    expect(new HostCheck('127.0.0.1').allows(`${hostname()}:8765`)).toBe(hostname().toLowerCase() === 'localhost')
    const named = new HostCheck('127.0.0.1', ['sim.lab.example'])
    expect(named.allows('sim.lab.example:8765')).toBe(true)
    expect(named.allows('other.lab.example:8765')).toBe(false)
    expect(new HostCheck('127.0.0.1', ['*']).allows('anything.example')).toBe(true)
  })
})
