// A recording's file name ends so. Its own module: the CLI needs it at start (runs folders) without
// loading the format's codecs (docs/architecture.md, start-up).
export const RECORDING_EXTENSION = '.mcap'
