// A fixed-capacity ring buffer: bounded histories that keep the newest entries.

/** A fixed-capacity ring: the newest `capacity` items, oldest first. Capacity 0 keeps nothing. */
export class Ring<T> {
  private items: T[] = []
  private start = 0
  private pushed = 0

  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.pushed++
    if (this.capacity === 0) return
    if (this.items.length < this.capacity) this.items.push(item)
    else {
      this.items[this.start] = item
      this.start = (this.start + 1) % this.capacity
    }
  }

  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)]
  }

  /** Items pushed since construction or the last clear, including those since overwritten. */
  get total(): number {
    return this.pushed
  }

  get length(): number {
    return this.items.length
  }

  clear(): void {
    this.items = []
    this.start = 0
    this.pushed = 0
  }
}
