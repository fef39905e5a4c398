// The timeline strip: the run from 0 to now (or the replay's span) with a scrubber and markers for
// commands, state changes, faults and notes. In a replay, scrubbing and markers seek and there are play,
// pause and speed controls; on a live run they move the plots back into history (loaded on demand).
import { useEffect, useRef, useState } from 'react'
import type { TimelineMarker } from '../../../shared/protocol/messages'
import { connection } from '../connection/connection'
import { Dialog } from '../dialog/Dialog'
import { useConsole } from '../store/store'
import { telemetry } from '../telemetry/telemetry'
import { useTimeline } from './timeline'
import './timeline.css'

/** Markers drawn at most (the newest): thousands of buttons cost more than they tell at this width. */
const DRAWN_MARKERS = 400
const SEEK_DEBOUNCE_MS = 150
const SPEEDS = [0.1, 0.5, 1, 2, 5, 10, 100, 'afap'] as const

const KIND_NAMES: Record<TimelineMarker['kind'], string> = { command: 'Command', state: 'State', fault: 'Fault', note: 'Note' }

/** Opens the note dialog (the button, and the N… shortcut: see shortcuts.ts). */
export function openNote(): void {
  if (useTimeline.getState().serves.note) useTimeline.getState().setNoteOpen(true)
}

/**
 * Centres the shared view on `t` (a live run), keeping its width. The scrubber dragged to the newest
 * time goes back to live; a marker clicked there is still centred, to be looked at.
 */
function showAt(t: number, end: number, liveAtEnd: boolean): void {
  const s = useConsole.getState()
  const span = s.view.live ? s.view.windowS : s.view.max - s.view.min
  if (liveAtEnd && t >= end - span / 200) {
    s.goLive()
    return
  }
  s.freezeView(t - span / 2, t + span / 2)
}

export function Timeline() {
  const link = useConsole((s) => s.link.status)
  const replay = useConsole((s) => s.schema?.replay)
  const runTime = useConsole((s) => s.run.time)
  const runState = useConsole((s) => s.run.state)
  const view = useConsole((s) => s.view)
  const markers = useTimeline((s) => s.markers)
  const truncated = useTimeline((s) => s.truncated)
  const serves = useTimeline((s) => s.serves)
  const [scrub, setScrub] = useState<number | null>(null)
  const seekTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => () => {
    if (seekTimer.current) clearTimeout(seekTimer.current)
  }, [])

  if (link !== 'connected' || !(serves.timeline || replay)) return null
  const now = Math.max(runTime, Number.isFinite(telemetry.liveTime) ? telemetry.liveTime : 0)
  const from = replay ? replay.from : 0
  const end = Math.max(from + 1e-3, replay ? replay.to : now)
  const position = scrub ?? (replay || view.live ? runTime : (view.min + view.max) / 2)
  const share = (t: number): number => Math.min(100, Math.max(0, ((t - from) / (end - from)) * 100))
  const step = Math.max(0.001, (end - from) / 1000)

  const go = (t: number): void => {
    if (replay) {
      if (seekTimer.current) clearTimeout(seekTimer.current)
      seekTimer.current = setTimeout(() => {
        seekTimer.current = null
        setScrub(null)
        void connection.seek(t)
      }, SEEK_DEBOUNCE_MS)
    } else showAt(t, now, true)
  }

  const drawn = markers.length > DRAWN_MARKERS ? markers.slice(-DRAWN_MARKERS) : markers
  return (
    <div className="timeline" role="group" aria-label="Timeline">
      {replay && (
        <>
          <button onClick={() => void (runState === 'running' ? connection.pause() : connection.resume())} aria-label={runState === 'running' ? 'Pause playback' : 'Play'}>
            {runState === 'running' ? 'Pause' : 'Play'}
          </button>
          <select aria-label="Playback speed" value={String(replay.speed)} onChange={(e) => void connection.speed(e.target.value === 'afap' ? 'afap' : Number(e.target.value))}>
            {SPEEDS.map((f) => (
              <option key={f} value={String(f)}>
                {f === 'afap' ? 'as fast as possible' : `${f}×`}
              </option>
            ))}
          </select>
        </>
      )}
      <span className="timeline-time" data-testid="timeline-time">
        {position.toFixed(1)} s
      </span>
      <div className="timeline-track">
        <input
          type="range"
          aria-label={replay ? 'Replay position, seconds' : 'Run time shown, seconds'}
          min={from}
          max={end}
          step={step}
          value={Math.min(end, Math.max(from, position))}
          onChange={(e) => {
            const t = Number(e.target.value)
            setScrub(replay ? t : null)
            go(t)
          }}
        />
        <div className="timeline-markers">
          {drawn.map((m, i) => (
            <button
              key={`${m.frame}:${m.kind}:${i}`}
              className={`timeline-marker ${m.kind}`}
              style={{ left: `${share(m.time)}%` }}
              data-kind={m.kind}
              aria-label={`${KIND_NAMES[m.kind]} at ${m.time.toFixed(2)} s: ${m.label}${m.client ? ` (${m.client})` : ''}`}
              title={`${KIND_NAMES[m.kind]} at ${m.time.toFixed(2)} s: ${m.label}${m.client ? `\n${m.client}` : ''}`}
              onClick={() => (replay ? void connection.seek(m.time) : showAt(m.time, now, false))}
            />
          ))}
        </div>
      </div>
      {truncated && <span className="timeline-note" title="Older markers were left out">older markers left out</span>}
      {serves.note && (
        <button onClick={openNote} title="Add a note at the current time (M)" aria-keyshortcuts="m">
          Add note
        </button>
      )}
      <NoteDialog />
    </div>
  )
}

function NoteDialog() {
  const open = useTimeline((s) => s.noteOpen)
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  if (!open) return null
  const close = (): void => {
    setText('')
    setError(null)
    useTimeline.getState().setNoteOpen(false)
  }
  const submit = async (): Promise<void> => {
    const trimmed = text.trim()
    if (trimmed === '') return setError('a note needs some text')
    const failed = await connection.note(trimmed)
    if (failed) setError(failed)
    else close()
  }
  return (
    <Dialog label="Add a note" onClose={close} onSubmit={() => void submit()}>
      <h2>Add a note at t = {useConsole.getState().run.time.toFixed(2)} s</h2>
      <label>
        Note
        <input autoFocus aria-label="Note text" value={text} maxLength={1000} onChange={(e) => setText(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button type="submit">Add note</button>
      </div>
    </Dialog>
  )
}
