// When to reconnect, per seed 002: start at 3 s and double, give up after 10 tries; a normal closure
// (1000) or a policy violation (1008) does not retry.

export const RECONNECT = { firstDelayMs: 3000, factor: 2, maxAttempts: 10 } as const

/** Close codes after which the console must not try again by itself. */
const FINAL_CODES = new Set([1000, 1008])

export function shouldReconnect(closeCode: number): boolean {
  return !FINAL_CODES.has(closeCode)
}

/** Delay before reconnect attempt `attempt` (1-based), or null once the attempts are used up. */
export function reconnectDelayMs(attempt: number): number | null {
  if (attempt < 1 || attempt > RECONNECT.maxAttempts) return null
  return RECONNECT.firstDelayMs * RECONNECT.factor ** (attempt - 1)
}

/** What the operator reads for a close code. */
export function describeClose(code: number): string {
  switch (code) {
    case 1000:
      return 'closed normally'
    case 1001:
      return 'server went away'
    case 1006:
      return 'connection lost'
    case 1008:
      return 'refused by the server (policy violation)'
    case 1009:
      return 'message too large'
    case 1011:
      return 'server error'
    default:
      return `closed (code ${code})`
  }
}
