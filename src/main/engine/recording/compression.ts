// The compression libraries, loaded by the thread that first needs each: loading one costs that thread
// 3.4 MB (zstd's WebAssembly) or about 4 MB (lz4's), and a run recorded with lz4 never needs zstd (issue
// 16's footprint of the demo's engine). lz4 comes in two builds of the same block format, chosen by the
// thread: on a worker (a recorder thread of its own: afap and fast realtime runs) lz4_flex compiled to
// WebAssembly (lz4-wasm-nodejs), 3x faster than the native addon (lz4-napi) on 16 KiB groups and one build
// for every platform; on the engine's main thread lz4js, plain JavaScript, because there the data rates
// are small (a recorder runs there only up to 200,000 frame values a second) and a WebAssembly instance
// measured 4.5 to 5 MB of the engine's footprint against 1.5 MB (lz4js is about half as fast).
import { createRequire } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import type * as Zstd from '@foxglove/wasm-zstd'
import type * as Lz4Wasm from 'lz4-wasm-nodejs'
import type * as Lz4Js from 'lz4js'

const load = createRequire(__filename)
let zstdModule: typeof Zstd | null = null

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

/** One lz4 build: blocks with their uncompressed size in front (u32 LE), as Python's `lz4.block` writes them. */
export interface Lz4Codec {
  compress(bytes: Uint8Array): Uint8Array
  /** The block's bytes, `size` of them; a block that decodes to any other length is refused. */
  decompress(stored: Uint8Array, size: number): Uint8Array
}

let wasmModule: typeof Lz4Wasm | null = null
const wasm = (): typeof Lz4Wasm => (wasmModule ??= load('lz4-wasm-nodejs') as typeof Lz4Wasm)

export const lz4Wasm: Lz4Codec = {
  compress: (bytes) => wasm().compress(bytes),
  decompress: (stored, size) => {
    const out = wasm().decompress(stored)
    if (out.byteLength !== size) throw new Error(`lz4 block decodes to ${out.byteLength} bytes, expected ${size}`)
    return out
  }
}

let jsModule: typeof Lz4Js | null = null
const js = (): typeof Lz4Js => (jsModule ??= load('lz4js') as typeof Lz4Js)
/** lz4js's match table (64 Ki entries), reused and cleared per block so that a block's bytes depend on it alone. */
let jsTable: Uint32Array | null = null
let jsScratch: Uint8Array | null = null

export const lz4Js: Lz4Codec = {
  compress: (bytes) => {
    const lib = js()
    const table = (jsTable ??= new Uint32Array(1 << 16))
    table.fill(0)
    // lz4js writes from the start of its output: into a scratch buffer, then behind the size.
    const bound = lib.compressBound(bytes.byteLength)
    if (!jsScratch || jsScratch.byteLength < bound) jsScratch = new Uint8Array(bound)
    // lz4js returns 0 when it found no match at all (its frame format then stores the bytes plain).
    const length = lib.compressBlock(bytes, jsScratch, 0, bytes.byteLength, table) || literalBlock(bytes, jsScratch)
    const out = new Uint8Array(4 + length)
    new DataView(out.buffer).setUint32(0, bytes.byteLength, true)
    out.set(jsScratch.subarray(0, length), 4)
    return out
  },
  decompress: (stored, size) => {
    const out = new Uint8Array(size)
    const end = js().decompressBlock(stored, out, 4, stored.byteLength - 4, 0)
    if (end !== size) throw new Error(`lz4 block decodes to ${end} bytes, expected ${size}`)
    return out
  }
}

/**
 * A block of literals only, written into `out` (compressBound's size holds it): a token with the count (15
 * and more in extra bytes of 255 ... then the rest), then the bytes. Returns its length.
 */
function literalBlock(bytes: Uint8Array, out: Uint8Array): number {
  const n = bytes.byteLength
  out[0] = Math.min(n, 15) << 4
  let at = 1
  if (n >= 15) {
    let rest = n - 15
    for (; rest >= 255; rest -= 255) out[at++] = 255
    out[at++] = rest
  }
  out.set(bytes, at)
  return at + n
}

/** This thread's lz4 (see the top of this file). */
const lz4: Lz4Codec = isMainThread ? lz4Js : lz4Wasm

/** An lz4 block with its size in front (u32 LE), as Python's `lz4.block.compress` writes it. */
export function lz4Compress(bytes: Uint8Array): Uint8Array {
  return lz4.compress(bytes)
}

/**
 * The bytes of an lz4 block that must hold `size` bytes: a block whose size prefix says otherwise (a
 * damaged or hostile file) is refused before it reaches the decoder, which would allocate what it says.
 */
export function lz4Decompress(stored: Uint8Array, size: number): Uint8Array {
  const said = stored.byteLength >= 4 ? new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true) : -1
  if (said !== size) throw new Error(`lz4 block says ${said < 0 ? 'nothing' : `${said} bytes`}, expected ${size}`)
  return lz4.decompress(stored, size)
}
