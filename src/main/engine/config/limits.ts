// Every limit the configuration loader enforces, in one place: docs/configuration.md lists them with their errors.
import { MAX_EXACT_TIME_NS } from '../scheduler/time'

/**
 * Largest configuration file read, checked with stat before reading: a YAML of 100k signals is about
 * 5 MiB, and parsing 16 MiB takes seconds, which is as long as loading should ever block.
 */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024

/** Fastest frame or module rate: the period must be at least 1 ns, since time is integer nanoseconds. */
export const MAX_RATE_HZ = 1e9

/**
 * Slowest frame rate: a 1000 s frame. Time stays exact up to 2^53 ns (about 104 days), which is then
 * still 9 007 frames; any slower and a run would reach the end of exact time within a few frames.
 */
export const MIN_RATE_HZ = 1e-3

/** Most sub-steps one module may make in one frame (module rate / frame rate): every frame must finish. */
export const MAX_SUBSTEPS = 10_000

/** Longest simulated end_time in seconds: where integer-nanosecond time stops being exact. */
export const MAX_END_TIME_S = Math.floor(MAX_EXACT_TIME_NS / 1e9)

/** Longest module or signal name, in characters: names travel in every schema and telemetry message. */
export const MAX_NAME_CHARS = 256

/** Errors (and, separately, warnings) listed for one file; the rest are counted in one last line. */
export const MAX_REPORTED_ISSUES = 100

/** Longest message of one issue; user text inside it is escaped, then the whole is cut to this. */
export const MAX_MESSAGE_CHARS = 1000

/** A console layout file shipped with a configuration (console.layout): the console's own limit. */
export { MAX_LAYOUT_BYTES } from '../../../shared/layout'
