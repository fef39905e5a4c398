// Dropping signals dragged from the signal tree on a panel: the drag formats, and one hook for the
// drop target's state and handlers (time plot, XY, table).
import { useState, type DragEvent } from 'react'

/** One signal's qualified name (a leaf of the tree). */
export const SIGNAL_MIME = 'application/x-hermes-signal'
/** Several, one per line (a module of the tree). */
export const SIGNALS_MIME = 'application/x-hermes-signals'

interface SignalDrop {
  /** Something droppable is over the target (its class shows it). */
  dropping: boolean
  handlers: { onDragOver(e: DragEvent): void; onDragLeave(): void; onDrop(e: DragEvent): void }
}

/** `onSignals` gets the dropped names; a module's several only where `many` is set. */
export function useSignalDrop(onSignals: (names: string[]) => void, many = false): SignalDrop {
  const [dropping, setDropping] = useState(false)
  const accepts = (e: DragEvent): boolean => e.dataTransfer.types.includes(SIGNAL_MIME) || (many && e.dataTransfer.types.includes(SIGNALS_MIME))
  return {
    dropping,
    handlers: {
      onDragOver: (e) => {
        if (!accepts(e)) return
        e.preventDefault()
        setDropping(true)
      },
      onDragLeave: () => setDropping(false),
      onDrop: (e) => {
        setDropping(false)
        const several = many ? e.dataTransfer.getData(SIGNALS_MIME) : ''
        const names = several ? several.split('\n') : [e.dataTransfer.getData(SIGNAL_MIME)].filter((n) => n !== '')
        if (names.length > 0) onSignals(names)
      }
    }
  }
}
