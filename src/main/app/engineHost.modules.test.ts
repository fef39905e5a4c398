import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EXAMPLES, HAS_PROC, HAS_PYTHON, ModuleLab, skipNotice } from '../engine/modules/testing'
import { EngineHost } from './engineHost'

let lab: ModuleLab
afterEach(async () => {
  await lab.cleanup()
})

skipNotice(!HAS_PYTHON || !HAS_PROC, 'config swap with module processes', 'needs python3 and /proc')

describe.skipIf(!HAS_PYTHON || !HAS_PROC)('the desktop app swapping configurations', () => {
  it("stops the previous run's module processes when it opens another file, and refuses a module that cannot start", async () => {
    lab = new ModuleLab()
    copyFileSync(join(EXAMPLES, 'mock_module.py'), join(lab.dir, 'mock_module.py'))
    copyFileSync(join(EXAMPLES, 'seed000_websocket_telemetry.yaml'), join(lab.dir, 'seed.yaml'))
    const other = lab.write('other.yaml', 'modules:\n  clock: { type: inproc, model: signal_generator }\n')
    const broken = lab.write('broken.yaml', 'modules:\n  b: { type: script, script: ./broken.py }\n')
    lab.write('broken.py', 'import no_such_module\n')
    const host = await EngineHost.start(join(lab.dir, 'seed.yaml'), { port: 0, host: '127.0.0.1', staticDir: null, allowedOrigins: [], serverName: 'test' })
    try {
      const mine = (): number[] => lab.processes().filter((pid) => pid !== process.pid)
      expect(mine()).toHaveLength(1)
      const refused = await host.open(broken)
      expect(refused.ok).toBe(false)
      if (!refused.ok) expect(refused.errors.join('\n')).toContain("ModuleNotFoundError: No module named 'no_such_module'")
      // The run that was there goes on, with its process.
      expect(mine()).toHaveLength(1)
      expect((await host.open(other)).ok).toBe(true)
      expect(mine()).toEqual([])
      expect((await host.reload()).ok).toBe(true)
      expect((await host.open(join(lab.dir, 'seed.yaml'))).ok).toBe(true)
      expect(mine()).toHaveLength(1)
    } finally {
      await host.stop()
    }
    expect(lab.processes()).toEqual([])
  })
})
