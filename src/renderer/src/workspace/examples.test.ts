// Every layout shipped in resources/examples is one the console accepts as it is (the engine test
// src/main/engine/config/examples.test.ts checks that each names only signals its run publishes).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseLayout } from './workspace'

const EXAMPLES = join(__dirname, '..', '..', '..', '..', 'resources', 'examples')
const LAYOUTS = readdirSync(EXAMPLES).filter((f) => f.endsWith('.layout.json'))

describe('the example layouts', () => {
  it('are there, one per kind of example', () => {
    expect(LAYOUTS).toEqual(expect.arrayContaining(['demo.layout.json', 'vehicle.layout.json', 'cart.layout.json', 'multi_module.layout.json']))
  })

  it.each(LAYOUTS)('%s is a layout the console accepts', (name) => {
    const parsed = parseLayout(readFileSync(join(EXAMPLES, name), 'utf8'))
    expect(parsed.ok ? [] : parsed.errors).toEqual([])
  })
})
