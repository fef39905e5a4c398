// The console's top level. The plots and run controls arrive with the console issue.
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', color: '#d6d9e0', background: '#0f1115', minHeight: '100vh', padding: 16 }}>
      <h1 style={{ fontSize: 18 }}>Hermes Console</h1>
      <p>The engine is running. The live console is not built yet.</p>
    </main>
  )
}
