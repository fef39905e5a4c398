// The compression libraries, loaded by the thread that first needs each: loading one costs that thread
// 3.4 MB (zstd's WebAssembly) or about 4 MB (lz4's), and a run recorded with lz4 never needs zstd (issue
// 16's footprint of the demo's engine). lz4 is lz4_flex compiled to WebAssembly (lz4-wasm-nodejs): one
// build for every platform the desktop app ships on, and 3x faster than the native addon (lz4-napi) on
// 16 KiB groups, where a native call's cost dominates.
import { createRequire } from 'node:module'
import type * as Zstd from '@foxglove/wasm-zstd'
import type * as Lz4 from 'lz4-wasm-nodejs'

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

function lz4(): typeof Lz4 {
  lz4Module ??= load('lz4-wasm-nodejs') as typeof Lz4
  return lz4Module
}

/** An lz4 block with its size in front (u32 LE), as Python's `lz4.block.compress` writes it. */
export function lz4Compress(bytes: Uint8Array): Uint8Array {
  return lz4().compress(bytes)
}

/**
 * The bytes of an lz4 block that must hold `size` bytes: a block whose size prefix says otherwise (a
 * damaged or hostile file) is refused before it reaches the decoder, which would allocate what it says.
 */
export function lz4Decompress(stored: Uint8Array, size: number): Uint8Array {
  const said = stored.byteLength >= 4 ? new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true) : -1
  if (said !== size) throw new Error(`lz4 block says ${said < 0 ? 'nothing' : `${said} bytes`}, expected ${size}`)
  return lz4().decompress(stored)
}
