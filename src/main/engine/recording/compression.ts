// The compression libraries, loaded by the thread that first needs each: loading one costs that thread
// 3.4 MB (zstd's WebAssembly) or 4.2 MB (lz4's native addon), and a run recorded with lz4 never needs zstd
// (issue 16's footprint of the demo's engine).
import { createRequire } from 'node:module'
import type * as Zstd from '@foxglove/wasm-zstd'
import type * as Lz4 from 'lz4-napi'

const load = createRequire(__filename)
let zstdModule: typeof Zstd | null = null
let lz4Module: typeof Lz4 | null = null

/** zstd's WebAssembly compiles asynchronously: await this once before the first `zstd()` of a thread. */
export async function loadZstd(): Promise<typeof Zstd> {
  if (!zstdModule) {
    const loaded = load('@foxglove/wasm-zstd') as typeof Zstd
    await loaded.isLoaded
    zstdModule = loaded
  }
  return zstdModule
}

export function zstd(): typeof Zstd {
  if (!zstdModule) throw new Error('zstd data met before the zstd library was loaded (loadZstd() was not awaited in this thread)')
  return zstdModule
}

export function lz4(): typeof Lz4 {
  lz4Module ??= load('lz4-napi') as typeof Lz4
  return lz4Module
}
