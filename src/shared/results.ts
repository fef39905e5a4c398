// A sweep's results table as the console opens it: the largest file it reads, and what the desktop app's
// File > Open Results… hands the window (the file's bytes, read by the main process, or why not).

/** 10,000 runs of a few dozen columns are a few MB; more than this is not a results table to browse. */
export const MAX_RESULTS_BYTES = 64 * 1024 * 1024

export type ResultsMenuRequest =
  | { action: 'open'; name: string; /** Absolute path of the table: recordings are named relative to it. */ path: string; bytes: Uint8Array }
  | { action: 'open-failed'; name: string; error: string }
