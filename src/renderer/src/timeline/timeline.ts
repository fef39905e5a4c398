// The run's timeline as the console knows it: the server's markers (asked for on every connect), plus
// the seed events and notes heard since, for the timeline strip. Cleared by a reset or another run.
import { create } from 'zustand'
import type { TimelineMarker, TimelineMessage } from '../../../shared/protocol/messages'

/** The server keeps at most this many (the newest); the console too. */
export const MAX_MARKERS = 10_000

export interface TimelineState {
  markers: TimelineMarker[]
  /** Older markers were left out (by the server, or here). */
  truncated: boolean
  /** What the connected server serves: timeline markers, notes (a recorded live run), seek and speed (a replay). */
  serves: { timeline: boolean; note: boolean; seek: boolean; speed: boolean }
  noteOpen: boolean
  load(reply: TimelineMessage): void
  add(marker: TimelineMarker): void
  clear(): void
  setServes(actions: readonly string[]): void
  setNoteOpen(open: boolean): void
}

/** A marker in time order; the same one heard twice (an event and the server's list) is kept once. */
export function insertMarker(list: readonly TimelineMarker[], marker: TimelineMarker): TimelineMarker[] {
  let at = list.length
  while (at > 0 && list[at - 1]!.time > marker.time) at--
  for (let k = at - 1; k >= 0 && list[k]!.time === marker.time; k--) {
    const m = list[k]!
    if (m.kind === marker.kind && m.label === marker.label && m.frame === marker.frame) return list as TimelineMarker[]
  }
  const next = [...list.slice(0, at), marker, ...list.slice(at)]
  return next.length > MAX_MARKERS ? next.slice(next.length - MAX_MARKERS) : next
}

export const useTimeline = create<TimelineState>()((set) => ({
  markers: [],
  truncated: false,
  serves: { timeline: false, note: false, seek: false, speed: false },
  noteOpen: false,
  load: (reply) => set({ markers: reply.markers.slice(-MAX_MARKERS), truncated: reply.truncated === true || reply.markers.length > MAX_MARKERS }),
  add: (marker) =>
    set((s) => {
      const markers = insertMarker(s.markers, marker)
      return markers === s.markers ? s : { markers, truncated: s.truncated || (s.markers.length === MAX_MARKERS && markers !== s.markers) }
    }),
  clear: () => set({ markers: [], truncated: false }),
  setServes: (actions) => set({ serves: { timeline: actions.includes('timeline'), note: actions.includes('note'), seek: actions.includes('seek'), speed: actions.includes('speed') } }),
  setNoteOpen: (noteOpen) => set({ noteOpen })
}))
