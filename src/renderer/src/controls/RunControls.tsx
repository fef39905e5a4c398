// Pause, Resume, Step N and Reset, enabled only when they make sense; the run state, frame, time and
// realtime factor beside them. Their shortcuts are in shortcuts/Shortcuts.tsx.
import { useState } from 'react'
import { connection } from '../connection/connection'
import { requestReset } from '../shortcuts/Shortcuts'
import { useConsole } from '../store/store'

export function RunControls() {
  const connected = useConsole((s) => s.link.status === 'connected')
  const run = useConsole((s) => s.run)
  const [count, setCount] = useState(10)
  const running = run.state === 'running'
  const paused = run.state === 'paused'
  const singleFrame = run.mode === 'single_frame'
  const canPause = connected && running
  const canResume = connected && paused && !singleFrame
  const canStep = connected && paused
  const stepCount = Number.isInteger(count) && count >= 1 ? count : 1

  return (
    <div className="run-controls" role="toolbar" aria-label="Run controls">
      <button onClick={() => void connection.pause()} disabled={!canPause} title="Pause (Space)">
        Pause
      </button>
      <button onClick={() => void connection.resume()} disabled={!canResume} title="Resume (Space)">
        Resume
      </button>
      <span className="step-group">
        <button onClick={() => void connection.step(stepCount)} disabled={!canStep} title="Step (N steps one frame)">
          Step
        </button>
        <input type="number" min={1} aria-label="Frames per step" value={count} onChange={(e) => setCount(Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
      </span>
      <button onClick={requestReset} disabled={!connected} title="Reset (Shift+R)">
        Reset
      </button>
      <dl className="run-info">
        <dt className="sr-only">state</dt>
        <dd data-testid="run-state" className={`state-${run.state}`}>
          {run.state}
        </dd>
        <dt>frame</dt>
        <dd data-testid="run-frame">{run.frame}</dd>
        <dt>time</dt>
        <dd data-testid="run-time">{run.time.toFixed(3)} s</dd>
        <dt>rt</dt>
        <dd title="realtime factor: simulated seconds per wall second">{run.realtimeFactor === null ? '—' : `${run.realtimeFactor.toFixed(2)}×`}</dd>
      </dl>
    </div>
  )
}
