// Link quality an operator can act on: round-trip time, age of the last frame (stale data is marked),
// and the share of telemetry frames that did not arrive.
import { useEffect, useState } from 'react'
import { useConsole } from '../store/store'

/** Data older than this many telemetry periods (and at least a second) is stale. */
const STALE_PERIODS = 5

export function LinkQuality() {
  const quality = useConsole((s) => s.quality)
  const connected = useConsole((s) => s.link.status === 'connected')
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(timer)
  }, [])
  // The clock here ticks at 4 Hz and the frame stamp at 10 Hz: never show a negative age.
  const age = quality.lastFrameAt === null ? null : Math.max(0, now - quality.lastFrameAt)
  const staleAfter = Math.max(1000, (STALE_PERIODS * 1000) / quality.telemetryHz)
  const stale = !connected || age === null || age > staleAfter
  const missing = quality.missingShare
  const degraded = (quality.rttMs ?? 0) > 200 || (missing ?? 0) > 0.05
  return (
    <div className={`quality${stale ? ' stale' : degraded ? ' degraded' : ''}`} aria-label="Link quality" data-stale={stale} data-degraded={degraded}>
      <span title="round-trip time (ping)">rtt {quality.rttMs === null ? '—' : `${quality.rttMs.toFixed(quality.rttMs < 10 ? 1 : 0)} ms`}</span>
      <span title="age of the newest telemetry frame" data-testid="frame-age">
        {stale ? 'stale ' : ''}age {age === null ? '—' : age < 1000 ? `${Math.round(age)} ms` : `${(age / 1000).toFixed(1)} s`}
      </span>
      <span title="share of expected frames missing over the last second" data-testid="missing">
        missing {missing === null ? '—' : `${(missing * 100).toFixed(0)} %`}
      </span>
    </div>
  )
}
