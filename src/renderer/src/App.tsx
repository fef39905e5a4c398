// The console: link and run controls on top, the signal tree on the left, panels in the middle, events and
// link quality below.
import { Timeline } from './timeline/Timeline'
import { useEffect } from 'react'
import { connection, initialServerUrl } from './connection/connection'
import { ConnectionBadge } from './controls/ConnectionBadge'
import { FaultBanner } from './controls/FaultBanner'
import { LinkQuality } from './controls/LinkQuality'
import { RecordingBadge } from './controls/RecordingBadge'
import { RunControls } from './controls/RunControls'
import { ViewControls } from './controls/ViewControls'
import { desktop } from './desktop/desktop'
import { LayoutMenu } from './desktop/LayoutMenu'
import { OpenConfig } from './desktop/OpenConfig'
import { EventConsole } from './events/EventConsole'
import { DockLayout } from './workspace/DockLayout'
import { WorkspaceMenu } from './workspace/WorkspaceMenu'
import { Shortcuts } from './shortcuts/Shortcuts'
import { SignalTree } from './tree/SignalTree'
import { ResultsOpen } from './results/ResultsOpen'
import { ResultsView } from './results/ResultsView'

export function App() {
  useEffect(() => {
    // In the desktop app the console connects to its own engine; in a browser, to the server that served it.
    // A `?server=` (a link, or the connect dialog reloading the page) wins in both, asking first for another host.
    const api = desktop()
    const param = new URLSearchParams(window.location.search).has('server')
    void (api && !param ? api.serverUrl() : Promise.resolve(initialServerUrl(window.location))).then((url) => connection.connect(url))
    return () => connection.disconnect()
  }, [])
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand" title="Hermes Console">Hermes</span>
        <OpenConfig />
        <LayoutMenu />
        <ConnectionBadge />
        <RunControls />
        <ViewControls />
        <WorkspaceMenu />
        <ResultsOpen />
      </header>
      <aside className="sidebar">
        <SignalTree />
      </aside>
      <main className="main">
        <FaultBanner />
        <DockLayout />
        <Timeline />
      </main>
      <footer className="footer">
        <div className="footer-status">
          <RecordingBadge />
          <LinkQuality />
        </div>
        <EventConsole />
      </footer>
      <Shortcuts />
      <ResultsView />
    </div>
  )
}
