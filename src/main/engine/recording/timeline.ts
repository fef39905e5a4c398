// The `timeline` extension's markers (docs/protocol.md): a run's recorded commands, state changes, faults
// and notes, for the current segment, bounded; built from recorded events, live or from a file.
import type { TimelineMarker } from '../../../shared/protocol/messages'
import { boundedText } from '../../../shared/text/bounded'
import type { RecordedEvent } from './format'

/** A timeline reply holds at most this many markers: the newest are kept. */
export const MAX_TIMELINE_MARKERS = 10_000
/** A note's text, trimmed, is at most this long. */
export const MAX_NOTE_CHARS = 1000
/** A label quotes a fault's message or a note this far (the marker's own text). */
const LABEL_CHARS = 200

/** 'client 3 (127.0.0.1:50312)' as a label says it: 'client 3'. */
const shortClient = (client: string): string => client.replace(/ \(.*\)$/, '')

/** The marker an event makes, or null for one that another marker already shows. */
export function markerOf(event: RecordedEvent): TimelineMarker | null {
  const at = { time: event.timeNs / 1e9, frame: event.frame }
  switch (event.kind) {
    case 'command': {
      const what = event.action === 'set' ? `set ${event.signal ?? '?'} = ${event.value ?? '?'}` : event.action === 'step' ? `step ${event.count ?? 1}` : event.action
      return { ...at, kind: 'command', label: boundedText(`${what} by ${shortClient(event.client)}`, LABEL_CHARS), client: event.client }
    }
    case 'state':
      // A command's own state change is its command's marker; a fault's is the fault's.
      if (event.reason === 'command' || event.reason === 'fault') return null
      return { ...at, kind: 'state', label: event.reason === 'end_time' ? `${event.state} at end_time` : event.reason === 'restart' ? `${event.state} after a restart` : `${event.state} (${event.reason})` }
    case 'fault':
      return { ...at, kind: 'fault', label: boundedText(`fault in ${event.module}: ${event.message}`, LABEL_CHARS) }
    case 'note':
      return { ...at, kind: 'note', label: boundedText(event.text, LABEL_CHARS), client: event.client }
  }
}

/** The current segment's markers: a reset starts a new timeline (its own marker first). */
export class Timeline {
  private markers: TimelineMarker[] = []
  private dropped = false

  add(event: RecordedEvent): void {
    if (event.kind === 'command' && event.action === 'reset') this.clear()
    const marker = markerOf(event)
    if (!marker) return
    this.markers.push(marker)
    // Cut in steps, not one marker at a time: a flood of notes costs one copy per thousand.
    if (this.markers.length > MAX_TIMELINE_MARKERS + 1000) {
      this.markers = this.markers.slice(-MAX_TIMELINE_MARKERS)
      this.dropped = true
    }
  }

  clear(): void {
    this.markers = []
    this.dropped = false
  }

  /** In time order (events may be recorded a little out of it: a command's marker after its state change). */
  list(): { markers: TimelineMarker[]; truncated: boolean } {
    const sorted = this.markers.map((m, i) => ({ m, i })).sort((a, b) => a.m.time - b.m.time || a.i - b.i).map((x) => x.m)
    const cut = sorted.length > MAX_TIMELINE_MARKERS
    return { markers: cut ? sorted.slice(-MAX_TIMELINE_MARKERS) : sorted, truncated: this.dropped || cut }
  }
}

/** Where a run's markers come from: its recorder (live) or its file (replay). */
export interface TimelineSource {
  timeline(): { markers: TimelineMarker[]; truncated: boolean }
}

/** A note's text as the `note` command gives it, trimmed, or why it is refused. */
export function noteText(text: unknown): { ok: true; text: string } | { ok: false; message: string } {
  if (typeof text !== 'string' || text.trim().length === 0) return { ok: false, message: "note 'text' must be a non-empty string" }
  const trimmed = text.trim()
  if (trimmed.length > MAX_NOTE_CHARS) return { ok: false, message: `note 'text' has ${trimmed.length} characters: at most ${MAX_NOTE_CHARS} are allowed` }
  return { ok: true, text: trimmed }
}
