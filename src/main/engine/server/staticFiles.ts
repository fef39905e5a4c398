// Plain HTTP on the protocol's port: the built console, so a browser pointed at the port gets the UI.
import { createReadStream, existsSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json'
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hermes Console</title></head>
<body style="font-family:system-ui,sans-serif;background:#0f1115;color:#d6d9e0;padding:2em">
<h1>Hermes is running</h1><p>The console has not been built yet. Run <code>npm run build</code> in the project, then reload this page.</p>
<p>WebSocket clients can connect to this same address now.</p></body></html>`

export function serveStatic(root: string | null, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const base = root ? resolve(root) : null
  if (!base || !existsSync(join(base, 'index.html'))) {
    res.writeHead(200, { 'Content-Type': TYPES['.html']! }).end(req.method === 'HEAD' ? undefined : NOT_BUILT)
    return
  }
  let path: string
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
  } catch {
    res.writeHead(400).end()
    return
  }
  const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path))
  if (file !== base && !file.startsWith(base + sep)) {
    res.writeHead(403).end()
    return
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
    return
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}
