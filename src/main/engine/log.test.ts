import { describe, expect, it, vi } from 'vitest'
import { createConsola, type ConsolaInstance } from 'consola'
import { boundLogText, clockTime, LOG_LINE_CHARS, LOG_MESSAGE_CHARS, withClockTime } from './log'

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

describe('log time of day', () => {
  it('formats the time of a message without Intl (toLocaleTimeString maps megabytes of ICU data)', () => {
    const calls = vi.spyOn(Date.prototype, 'toLocaleTimeString')
    const lines: string[] = []
    const stream = { columns: 120, write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WriteStream
    // The terminal's reporter (fancy, with columns), which shows the time; tests otherwise get the basic one.
    const make = (): ConsolaInstance => createConsola({ fancy: true, level: 3, stdout: stream, stderr: stream } as Parameters<typeof createConsola>[0])
    try {
      make().info('unpatched')
      expect(calls).toHaveBeenCalled()
      calls.mockClear()
      withClockTime(make()).info('a message')
      expect(calls).not.toHaveBeenCalled()
      expect(lines.at(-1)).toContain('a message')
      expect(lines.at(-1)).toMatch(/\d\d:\d\d:\d\d/)
    } finally {
      calls.mockRestore()
    }
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5))).toBe('03:04:05')
  })
})
