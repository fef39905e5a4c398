// The validator's last-resort guard: whatever the protocol checks throw, a message gets a bounded verdict.
import { describe, expect, it, vi } from 'vitest'
import { inspectMessage, MAX_ERROR_CHARS, MAX_LABEL_CHARS } from './validate'

const parse = vi.hoisted(() => ({ fail: null as Error | null }))

vi.mock('../engine/server/commands', async (original) => {
  const real = await original<typeof import('../engine/server/commands')>()
  return {
    ...real,
    parseCommand: (text: string) => {
      if (parse.fail) throw parse.fail
      return real.parseCommand(text)
    }
  }
})

describe('inspectMessage', () => {
  it('turns a check that throws (a stack overflow on a deep message) into an invalid verdict with the reason', () => {
    parse.fail = new RangeError('Maximum call stack size exceeded')
    const verdict = inspectMessage('client_to_server', Buffer.from('{"action":[[[[1]]]]}'), false)
    parse.fail = null
    expect(verdict).toEqual({ label: 'invalid', telemetry: false, error: 'the validator failed on this 20-byte message (RangeError: Maximum call stack size exceeded); forwarded unchecked' })
  })

  it('bounds the label and the error whatever the sender chose, quoting only the start', () => {
    const action = 'a'.repeat(100_000)
    const verdict = inspectMessage('client_to_server', Buffer.from(JSON.stringify({ action })), false)
    expect(verdict.label.length).toBeLessThanOrEqual(MAX_LABEL_CHARS + 40)
    expect(verdict.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS + 40)
    expect(verdict.error).toMatch(/^Unknown action: a+…/)
    const ack = inspectMessage('server_to_client', Buffer.from(JSON.stringify({ type: 'ack', action })), false)
    expect(ack.action!.length).toBeLessThanOrEqual(MAX_LABEL_CHARS + 40)
  })
})
