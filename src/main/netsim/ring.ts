// A bounded history that keeps the newest entries: at most `capacity` of them, and at most `maxBytes` by their sizes.

/** The newest items, oldest first, within a count and a byte budget. Capacity 0 keeps nothing. */
export class Ring<T> {
  private items: (T | undefined)[] = []
  private sizes: number[] = []
  private head = 0
  private pushed = 0
  private keptBytes = 0

  constructor(
    readonly capacity: number,
    /** The sum of the kept items' sizes stays at or below this; an item larger than all of it is not kept. */
    readonly maxBytes = Number.POSITIVE_INFINITY
  ) {}

  /** Adds an item of `bytes` (as the caller measures it) and lets the oldest go until both bounds hold. */
  push(item: T, bytes = 0): void {
    this.pushed++
    if (this.capacity === 0 || bytes > this.maxBytes) return
    this.items.push(item)
    this.sizes.push(bytes)
    this.keptBytes += bytes
    while (this.length > this.capacity || this.keptBytes > this.maxBytes) {
      this.keptBytes -= this.sizes[this.head]!
      this.items[this.head] = undefined
      this.head++
    }
    // Let go of the evicted slots now and then, so memory follows what is kept.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.sizes = this.sizes.slice(this.head)
      this.head = 0
    }
  }

  toArray(): T[] {
    return this.items.slice(this.head) as T[]
  }

  /** Items pushed since construction or the last clear, including those since let go. */
  get total(): number {
    return this.pushed
  }

  get length(): number {
    return this.items.length - this.head
  }

  /** The sum of the kept items' sizes. */
  get bytes(): number {
    return this.keptBytes
  }

  clear(): void {
    this.items = []
    this.sizes = []
    this.head = 0
    this.pushed = 0
    this.keptBytes = 0
  }
}
