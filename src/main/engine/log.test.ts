import { describe, expect, it, vi } from 'vitest'
import { boundLogText, LOG_LINE_CHARS, LOG_MESSAGE_CHARS, logger } from './log'

describe('log bounds', () => {
  it('cuts a 1 MB line to the line bound, with a marker saying how much was cut', () => {
    const text = boundLogText('x'.repeat(1_000_000))
    expect(text.length).toBeLessThan(LOG_LINE_CHARS + 60)
    expect(text).toMatch(/… \(\d+ more characters\)/)
  })

  it('keeps a multi-line message (a traceback) line by line, each line bounded, the whole bounded', () => {
    const text = boundLogText(`Traceback:\n${'y'.repeat(5000)}\nValueError: boom`)
    const lines = text.split('\n')
    expect(lines[0]).toBe('Traceback:')
    expect(lines[1]!.length).toBeLessThan(LOG_LINE_CHARS + 60)
    expect(lines.at(-1)).toBe('ValueError: boom')
    expect(boundLogText('z\n'.repeat(100_000)).length).toBeLessThan(LOG_MESSAGE_CHARS + 60)
  })
})

describe('engine logger', () => {
  it('writes plain tagged lines without Intl (the terminal reporter maps megabytes of ICU data)', () => {
    const calls = vi.spyOn(Date.prototype, 'toLocaleTimeString')
    const written: string[] = []
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0)
    try {
      logger('probe').warn('a message')
    } finally {
      write.mockRestore()
      calls.mockRestore()
    }
    expect(written.join('')).toBe('[warn] [probe] a message\n')
    expect(calls).not.toHaveBeenCalled()
  })
})
