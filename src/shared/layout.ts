// What the engine, the desktop app and the console agree on about console layout files: their format
// name and how large one may be. The console validates the rest (src/renderer/src/workspace/workspace.ts).

export const LAYOUT_FORMAT = 'hermes-console.layout'

/** A layout file larger than this is refused before it is read or parsed. */
export const MAX_LAYOUT_BYTES = 1024 * 1024
