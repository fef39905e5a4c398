import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_LAYOUT_BYTES } from '../../shared/layout'
import { readLayoutFile, writeLayoutFile } from './layoutFiles'

const dir = mkdtempSync(join(tmpdir(), 'hermes-layout-files-'))

describe('layout files of the File menu', () => {
  it('writes a layout and reads it back as the text the console imports', async () => {
    const file = join(dir, 'a.layout.json')
    expect(await writeLayoutFile(file, '{"format":"hermes-console.layout"}')).toEqual({ ok: true, file })
    expect(await readLayoutFile(file)).toEqual({ action: 'import', name: 'a.layout.json', text: '{"format":"hermes-console.layout"}' })
  })

  it('refuses to read what is too large, missing or a folder, naming the file', async () => {
    const big = join(dir, 'big.json')
    writeFileSync(big, 'x'.repeat(MAX_LAYOUT_BYTES + 1))
    expect(await readLayoutFile(big)).toMatchObject({ action: 'import-failed', name: 'big.json', error: expect.stringMatching(/big\.json is \d+ bytes; a layout file may be at most/) })
    expect(await readLayoutFile(join(dir, 'none.json'))).toMatchObject({ action: 'import-failed', error: expect.stringMatching(/cannot read .*none\.json: .*ENOENT/) })
    const folder = join(dir, 'folder.json')
    mkdirSync(folder)
    expect(await readLayoutFile(folder)).toMatchObject({ action: 'import-failed', error: expect.stringContaining('is not a file') })
  })

  it('refuses to write what is not a layout-sized string, and says why a write failed', async () => {
    const file = join(dir, 'b.json')
    expect(await writeLayoutFile(file, { not: 'text' })).toEqual({ ok: false, error: 'the layout to save is not text' })
    expect(await writeLayoutFile(file, 'x'.repeat(MAX_LAYOUT_BYTES + 1))).toMatchObject({ ok: false, error: expect.stringContaining('larger than') })
    expect(() => readFileSync(file)).toThrow()
    expect(await writeLayoutFile(join(dir, 'no', 'such', 'c.json'), '{}')).toMatchObject({ ok: false, error: expect.stringMatching(/cannot write .*c\.json/) })
  })
})
