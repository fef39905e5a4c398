// The recent-files list of the File menu, kept as JSON in the app's data folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

const LIMIT = 10

export class RecentFiles {
  private files: string[]

  constructor(private readonly store: string) {
    this.files = RecentFiles.read(store)
  }

  private static read(store: string): string[] {
    try {
      const data: unknown = JSON.parse(readFileSync(store, 'utf8'))
      return Array.isArray(data) ? data.filter((f): f is string => typeof f === 'string') : []
    } catch {
      // No list yet, or an unreadable one: start a new list rather than fail the app.
      return []
    }
  }

  /** Most recent first; files that no longer exist are left out. */
  list(): string[] {
    return this.files.filter((f) => existsSync(f))
  }

  add(file: string): void {
    this.files = [file, ...this.files.filter((f) => f !== file)].slice(0, LIMIT)
    mkdirSync(dirname(this.store), { recursive: true })
    writeFileSync(this.store, JSON.stringify(this.files, null, 2))
  }
}
