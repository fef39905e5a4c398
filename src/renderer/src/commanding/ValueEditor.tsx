// A writable signal's value box: type a number, Enter sets it; the parse error or the server's ack shows
// beside it. The values panel, the signal tree and the signal table all use this one.
import { useState } from 'react'
import { connection } from '../connection/connection'
import { useConsole } from '../store/store'
import { parseNumber } from './parseNumber'

export function ValueEditor({ signal, compact = false, tabbable = true }: { signal: string; compact?: boolean; tabbable?: boolean }) {
  const [text, setText] = useState('')
  const result = useConsole((s) => s.setResults[signal])
  const submit = (): void => {
    const parsed = parseNumber(text)
    if (!parsed.ok) {
      useConsole.getState().setSetResult(signal, { status: 'error', message: parsed.reason })
      return
    }
    void connection.set(signal, parsed.value)
  }
  return (
    <span className={`value-editor${compact ? ' compact' : ''}`}>
      <input
        aria-label={`New value for ${signal}`}
        tabIndex={tabbable ? undefined : -1}
        inputMode="decimal"
        placeholder="value"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Enter') submit()
        }}
      />
      {result && (
        <span className={`set-result ${result.status}`} role="status" aria-label={`Result for ${signal}`}>
          {result.message}
        </span>
      )}
    </span>
  )
}

