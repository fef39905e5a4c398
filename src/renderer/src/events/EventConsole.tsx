// Every event, ack and error, and the commands sent, with time stamps, newest at the bottom.
import { useEffect, useRef } from 'react'
import { useConsole } from '../store/store'

function clock(ms: number): string {
  const d = new Date(ms)
  return `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

export function EventConsole() {
  const log = useConsole((s) => s.log)
  const open = useConsole((s) => s.eventsOpen)
  const setOpen = useConsole((s) => s.setEventsOpen)
  const clear = useConsole((s) => s.clearLog)
  const list = useRef<HTMLOListElement>(null)
  useEffect(() => {
    const el = list.current
    if (el) el.scrollTop = el.scrollHeight
  }, [log, open])
  return (
    <section className={`events${open ? ' open' : ''}`} aria-label="Event console">
      <header>
        <button className="mini" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? '▾' : '▸'} Events ({log.length})
        </button>
        {open && (
          <button className="mini" onClick={clear}>
            Clear
          </button>
        )}
      </header>
      {open && (
        <ol ref={list} role="log">
          {log.map((e) => (
            <li key={e.id} className={`log-${e.kind}`}>
              <time>{clock(e.at)}</time>
              <span className="kind">{e.kind}</span>
              <span className="text">{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
