// The link state, always visible: connecting, connected, lost and retrying in N s, or given up with a
// retry button; and a dialog to attach to any other server.
import { useEffect, useState } from 'react'
import { attachTo, connection } from '../connection/connection'
import { Dialog } from '../dialog/Dialog'
import { useConsole } from '../store/store'

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(timer)
  }, [active])
  return now
}

export function ConnectionBadge() {
  const link = useConsole((s) => s.link)
  const [dialog, setDialog] = useState(false)
  const now = useNow(link.status === 'retrying')
  let text: string
  switch (link.status) {
    case 'connected':
      text = 'connected'
      break
    case 'connecting':
      text = 'connecting…'
      break
    case 'retrying': {
      const wait = `retrying in ${Math.max(0, Math.ceil(((link.retryAt ?? now) - now) / 1000))} s (try ${link.attempt})`
      // Never connected: say where and why in the badge itself, not only in a tooltip.
      text = link.everConnected ? `lost, ${wait}` : `cannot connect to ${link.url}: ${link.message}; ${wait}`
      break
    }
    case 'failed':
      text = link.everConnected ? 'disconnected' : `cannot connect to ${link.url}: ${link.message}`
      break
    case 'closed':
      text = 'disconnected'
      break
    default:
      text = 'not connected'
  }
  return (
    <div className={`link link-${link.status}`}>
      <span className="dot" aria-hidden />
      {/* Connected, the green dot and the address say it: the word is kept for screen readers and gives
          its width to the address, which a 1280 px top bar otherwise has no room for. */}
      <span
        role="status"
        aria-label="Connection"
        aria-live="polite"
        data-status={link.status}
        title={link.message}
        className={link.status === 'connected' ? 'sr-only' : undefined}
      >
        {text}
      </span>
      <button className="link-url" title={`${link.url}: connect to another server`} onClick={() => setDialog(true)}>
        <bdi>{link.url.replace(/^wss?:\/\//, '')}</bdi>
      </button>
      {(link.status === 'failed' || link.status === 'retrying' || link.status === 'closed') && (
        <button onClick={() => connection.retryNow()}>Retry now</button>
      )}
      {link.status === 'failed' && <span className="link-message">{link.message}</span>}
      {dialog && <ConnectDialog onClose={() => setDialog(false)} />}
    </div>
  )
}

function ConnectDialog({ onClose }: { onClose(): void }) {
  const current = useConsole((s) => s.link.url)
  const [url, setUrl] = useState(current)
  const valid = /^wss?:\/\/[^\s/]+/.test(url)
  return (
    <Dialog
      label="Connect to a server"
      onClose={onClose}
      onSubmit={() => {
        if (!valid) return
        attachTo(url, window.location)
        onClose()
      }}
    >
      <label>
        Server address
        <input autoFocus aria-label="Server address" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="ws://127.0.0.1:8765" />
      </label>
      {!valid && <p className="error-text">An address looks like ws://host:port</p>}
      <div className="dialog-buttons">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={!valid}>
          Connect
        </button>
      </div>
    </Dialog>
  )
}
