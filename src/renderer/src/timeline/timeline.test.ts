import { describe, expect, it } from 'vitest'
import type { TimelineMarker } from '../../../shared/protocol/messages'
import { insertMarker, MAX_MARKERS } from './timeline'

const m = (time: number, kind: TimelineMarker['kind'] = 'state', label = 'paused', frame = Math.round(time * 100)): TimelineMarker => ({ time, frame, kind, label })

describe('timeline markers', () => {
  it('keeps markers in time order wherever they arrive', () => {
    let list: TimelineMarker[] = []
    for (const t of [3, 1, 2, 5, 4]) list = insertMarker(list, m(t))
    expect(list.map((x) => x.time)).toEqual([1, 2, 3, 4, 5])
  })

  it('keeps a marker heard twice (a live event and the server list) once, and different ones at one time', () => {
    let list = insertMarker([], m(2, 'note', 'valve'))
    list = insertMarker(list, m(2, 'note', 'valve'))
    expect(list).toHaveLength(1)
    list = insertMarker(list, m(2, 'state', 'paused'))
    expect(list.map((x) => x.kind)).toEqual(['note', 'state'])
  })

  it('keeps the newest when full', () => {
    let list = Array.from({ length: MAX_MARKERS }, (_, i) => m(i))
    list = insertMarker(list, m(MAX_MARKERS))
    expect(list).toHaveLength(MAX_MARKERS)
    expect(list[0]!.time).toBe(1)
    expect(list[list.length - 1]!.time).toBe(MAX_MARKERS)
  })
})
