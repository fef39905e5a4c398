// Profiles, patches and YAML profile files: values, merging, and errors that point at the line and column.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, formatIssue } from '../engine/config/issues'
import { applyPatch, describeConditions, MAX_DELAY_MS, profile, PROFILES } from './conditions'
import { parseProfile, resolveProfile } from './profileFile'

function errorsOf(text: string): string[] {
  try {
    parseProfile(text, 'link.yaml')
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue)
    throw error
  }
  throw new Error('expected the profile to be rejected')
}

describe('built-in profiles', () => {
  it("uses seed 003's values where it gives them", () => {
    expect(PROFILES.perfect).toMatchObject({ packet_loss_rate: 0, disconnect_rate: 0, client_to_server: { latency_ms: 0, jitter_ms: 0, bandwidth_bytes_per_s: null } })
    expect(PROFILES.default).toMatchObject({
      packet_loss_rate: 0.01,
      disconnect_rate: 0.001,
      disconnect_per: 'message',
      server_to_client: { latency_ms: 50, jitter_ms: 10, bandwidth_bytes_per_s: 12_500_000 }
    })
    expect(PROFILES.stressed).toMatchObject({ packet_loss_rate: 0.1, server_to_client: { latency_ms: 200 } })
    expect(PROFILES.mars.server_to_client.latency_ms).toBeGreaterThanOrEqual(180_000)
  })

  it('hands out copies, so changing one run does not change the profile', () => {
    const p = profile('stressed')
    p.client_to_server.latency_ms = 1
    expect(PROFILES.stressed.client_to_server.latency_ms).toBe(200)
  })

  it('describes conditions in one line', () => {
    expect(describeConditions(PROFILES.default)).toBe('50±10 ms, 100 Mbit/s, 1% loss, disconnects 0.001/message')
    expect(describeConditions({ ...PROFILES.perfect, enabled: false })).toBe('disabled (pass-through)')
  })
})

describe('patches', () => {
  it('sets both directions from top-level keys, then one direction from its own', () => {
    const { conditions } = applyPatch(profile('perfect'), { latency_ms: 30, jitter_ms: 5, server_to_client: { latency_ms: 80, bandwidth_bytes_per_s: 1000 } })
    expect(conditions.client_to_server).toEqual({ latency_ms: 30, jitter_ms: 5, bandwidth_bytes_per_s: null })
    expect(conditions.server_to_client).toEqual({ latency_ms: 80, jitter_ms: 5, bandwidth_bytes_per_s: 1000 })
  })

  it('keeps what a patch leaves out, starts over from a profile it extends, and takes seed 003 megabits', () => {
    const base = applyPatch(profile('perfect'), { latency_ms: 30, packet_loss_rate: 0.5 }).conditions
    expect(applyPatch(base, { jitter_ms: 1 }).conditions).toMatchObject({ packet_loss_rate: 0.5, client_to_server: { latency_ms: 30, jitter_ms: 1 } })
    const extended = applyPatch(base, { extends: 'stressed', jitter_ms: 0 })
    expect(extended.name).toBe('stressed')
    expect(extended.conditions).toMatchObject({ packet_loss_rate: 0.1, client_to_server: { latency_ms: 200, jitter_ms: 0 } })
    expect(applyPatch(base, { bandwidth_mbps: 8 }).conditions.client_to_server.bandwidth_bytes_per_s).toBe(1_000_000)
  })

  it('rejects a per-message disconnect probability above 1', () => {
    expect(applyPatch(profile('perfect'), { disconnect_rate: 2, disconnect_per: 'message' }).problems).toEqual([{ path: ['disconnect_rate'], message: 'disconnect_rate 2 per message is a probability: at most 1' }])
    expect(applyPatch(profile('perfect'), { disconnect_rate: 2, disconnect_per: 'minute' }).problems).toEqual([])
  })
})

describe('YAML profiles', () => {
  it('starts from perfect, or from the profile it extends, and is named by its name or file', () => {
    const own = parseProfile('name: office wifi\nlatency_ms: 20\nserver_to_client:\n  bandwidth_bytes_per_s: 50000\n', 'office.yaml')
    expect(own.name).toBe('office wifi')
    expect(own.conditions).toMatchObject({ packet_loss_rate: 0, client_to_server: { latency_ms: 20, bandwidth_bytes_per_s: null }, server_to_client: { bandwidth_bytes_per_s: 50000 } })
    expect(parseProfile('extends: mars\ndisconnect_rate: 2\n', 'x.yaml').conditions).toMatchObject({ disconnect_rate: 2, client_to_server: { latency_ms: 180_000 } })
    expect(parseProfile('latency_ms: 1\n', '/tmp/p.yaml').name).toBe('/tmp/p.yaml')
  })

  it('reports every error with file, line, column and key', () => {
    expect(errorsOf('latency_ms: fast\npacket_loss_rate: 1.5\nclient_to_server:\n  latncy_ms: 3\n')).toEqual([
      'link.yaml:1:13: latency_ms: expected number, received string',
      'link.yaml:2:19: packet_loss_rate: must be between 0 and 1',
      'link.yaml:4:3: client_to_server.latncy_ms: unknown key \'latncy_ms\'; known keys: latency_ms, jitter_ms, bandwidth_bytes_per_s'
    ])
    expect(errorsOf('extends: venus\n')[0]).toMatch(/^link\.yaml:1:10: extends: expected one of "perfect"\|"default"\|"stressed"\|"mars"/)
    expect(errorsOf('disconnect_per: message\ndisconnect_rate: 3\n')).toEqual(['link.yaml:2:18: disconnect_rate: disconnect_rate 3 per message is a probability: at most 1'])
    expect(errorsOf('latency_ms: [1\n')[0]).toMatch(/^link\.yaml:\d+:\d+: invalid YAML: /)
    expect(errorsOf('')).toEqual(['link.yaml:1:1: the file is empty; expected a mapping such as "extends: stressed" or "latency_ms: 100"'])
    expect(errorsOf('- 1\n')).toEqual(['link.yaml:1:1: expected a mapping (key: value) at the top level'])
  })

  it('bounds latency and jitter below the timer range (2^31 ms) with an error naming the key', () => {
    expect(errorsOf('latency_ms: 2147483648\nserver_to_client:\n  jitter_ms: 2147483648\nmax_queue_ms: 1e12\n')).toEqual([
      'link.yaml:1:13: latency_ms: must be at most 3600000 ms (one hour)',
      'link.yaml:3:14: server_to_client.jitter_ms: must be at most 3600000 ms (one hour)',
      'link.yaml:4:15: max_queue_ms: must be at most 3600000 ms (one hour)'
    ])
    expect(parseProfile(`latency_ms: ${MAX_DELAY_MS}\njitter_ms: ${MAX_DELAY_MS}\n`, 'edge.yaml').conditions.client_to_server).toMatchObject({ latency_ms: MAX_DELAY_MS, jitter_ms: MAX_DELAY_MS })
  })

  it('resolves --profile as a built-in name or a file, and says what it accepts otherwise', () => {
    expect(resolveProfile('stressed').conditions).toEqual(PROFILES.stressed)
    const file = join(mkdtempSync(join(tmpdir(), 'netsim-profile-')), 'lossy.yml')
    writeFileSync(file, 'packet_loss_rate: 0.25\n')
    expect(resolveProfile(file).conditions.packet_loss_rate).toBe(0.25)
    expect(() => resolveProfile('stresed')).toThrow('not a built-in profile (perfect, default, stressed, mars) nor a .yaml file')
    expect(() => resolveProfile('/nonexistent/x.yaml')).toThrow('file not found')
  })
})
