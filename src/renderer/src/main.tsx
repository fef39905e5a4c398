// Console entry: mounts the React app.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import './styles.css'
import { exposeDiagnostics } from './diagnostics'
import { useConsole } from './store/store'
import { startSettings } from './settings/settings'
import { WorkspacePersistence } from './workspace/persistence'

exposeDiagnostics()
// Before the first render, so the window opens on the workspace it had.
const persistence = new WorkspacePersistence(useConsole, { session: sessionStorage, local: localStorage })
window.addEventListener('pagehide', () => persistence.flush())
startSettings(useConsole, localStorage, document)
const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>
)
