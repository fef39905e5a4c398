// The part of lz4js (plain JavaScript, no types of its own) that compression.ts uses: raw lz4 blocks.
declare module 'lz4js' {
  export function compressBound(n: number): number
  /** Writes the block from dst[0]; returns its length. `hashTable` is 64 Ki entries, zero for a fresh start. */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number
  /** Returns the index in dst after the last byte written. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number
}
