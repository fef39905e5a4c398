// `npm start` where the Electron window cannot open: one line says why, and the same console is served
// headless at the address it prints, even for a configuration that does not enable the server.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { freePort } from './engine'

const ROOT = join(__dirname, '..')

test('falls back to the headless engine serving the console, and says why', async ({ page }) => {
  const port = await freePort()
  // Point the Electron check at a folder without the binary, so this runs the fallback on any machine.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts'), join(ROOT, 'e2e', 'fixtures', 'quiet.yaml'), '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(ROOT, 'no-electron-here'), HERMES_LOG: 'warn' }
  })
  let output = ''
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer): void => {
        output += b.toString()
        if (output.includes(`console at http://127.0.0.1:${port}/`)) resolve()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      void exited.then((code) => reject(new Error(`start exited with ${code}: ${output}`)))
    })
    const lines = output.split('\n')
    expect(lines[0]).toMatch(/^hermes: the desktop window cannot open here: the Electron binary is not installed .*; serving the console headless instead$/)
    await page.goto(`http://127.0.0.1:${port}/`)
    await expect(page.getByRole('status', { name: 'Connection' })).toHaveText('connected')
    await expect(page.getByRole('treeitem', { name: 'wave.out' })).toBeVisible()
  } finally {
    child.kill('SIGINT')
  }
  expect(await exited).toBe(0)
})
