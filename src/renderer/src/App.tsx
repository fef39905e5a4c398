// The console: link and run controls on top, the signal tree on the left, panels in the middle, events below.
import { useEffect } from 'react'
import { connection, initialServerUrl } from './connection/connection'
import { ConnectionBadge } from './controls/ConnectionBadge'
import { LinkQuality } from './controls/LinkQuality'
import { RunControls } from './controls/RunControls'
import { ViewControls } from './controls/ViewControls'
import { EventConsole } from './events/EventConsole'
import { PanelGrid } from './panels/PanelGrid'
import { SignalTree } from './tree/SignalTree'

export function App() {
  useEffect(() => {
    connection.connect(initialServerUrl(window.location))
    return () => connection.disconnect()
  }, [])
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Hermes Console</span>
        <ConnectionBadge />
        <RunControls />
        <LinkQuality />
        <ViewControls />
      </header>
      <aside className="sidebar">
        <SignalTree />
      </aside>
      <main className="main">
        <PanelGrid />
      </main>
      <footer className="footer">
        <EventConsole />
      </footer>
    </div>
  )
}
