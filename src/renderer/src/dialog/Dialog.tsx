// A modal dialog as the WAI-ARIA dialog pattern asks: focus moves in, Tab stays inside, Escape closes,
// and focus returns to where it was when the dialog closes.
import { useEffect, useRef, type ReactNode } from 'react'

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])'

interface DialogProps {
  label: string
  role?: 'dialog' | 'alertdialog'
  wide?: boolean
  onClose(): void
  /** A dialog with a form submits through it; otherwise it is a plain container. */
  onSubmit?(): void
  children: ReactNode
}

export function Dialog({ label, role = 'dialog', wide = false, onClose, onSubmit, children }: DialogProps) {
  const box = useRef<HTMLFormElement>(null)
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    const el = box.current
    if (el && !el.contains(document.activeElement)) (el.querySelector<HTMLElement>('[autofocus], ' + FOCUSABLE) ?? el).focus()
    return () => previous?.focus?.()
  }, [])
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <form
        ref={box}
        tabIndex={-1}
        className={`dialog${wide ? ' wide' : ''}`}
        role={role}
        aria-modal="true"
        aria-label={label}
        onMouseDown={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault()
          onSubmit?.()
        }}
        onKeyDown={(e) => {
          // Keys inside a dialog are the dialog's: the console's shortcuts never see them.
          e.stopPropagation()
          if (e.key === 'Escape') {
            e.preventDefault()
            onClose()
            return
          }
          if (e.key !== 'Tab' || !box.current) return
          const items = Array.from(box.current.querySelectorAll<HTMLElement>(FOCUSABLE))
          if (items.length === 0) return
          const first = items[0]!
          const last = items[items.length - 1]!
          if (e.shiftKey && document.activeElement === first) {
            e.preventDefault()
            last.focus()
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault()
            first.focus()
          }
        }}
      >
        {children}
      </form>
    </div>
  )
}
