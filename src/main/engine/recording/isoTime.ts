// ISO 8601 in UTC (`2026-12-03T07:04:05.123Z`), from Date's UTC getters: Date.prototype.toISOString maps
// 640 KB of ICU data into the engine's memory at its first call (measured with /proc/<pid>/pagemap, issue
// 16's footprint), the getters none.

const two = (n: number): string => String(n).padStart(2, '0')

export function isoTime(ms: number): string {
  const d = new Date(ms)
  const year = d.getUTCFullYear()
  if (year < 0 || year > 9999) throw new RangeError(`isoTime: year ${year} is outside 0000-9999`)
  return `${String(year).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}Z`
}
