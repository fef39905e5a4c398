// The desktop app's own settings (Record Runs, the runs folder's retention), kept as JSON in its data
// folder beside recent.json; validated on read, so a bad file means the defaults and a logged reason.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import type { Logger } from '../engine/log'
import { boundedText } from '../../shared/text/bounded'

export const GB = 1024 ** 3

/** The retention limits the Recording menu offers; null keeps every recording. */
export const RETENTION_CHOICES: readonly (number | null)[] = [1 * GB, 5 * GB, 20 * GB, null]

export interface AppSettings {
  /** Record every run into the runs folder (from the next run: Open, Reload). */
  recordRuns: boolean
  /** The runs folder's retention by total size, oldest first, never the file being written; null: unlimited. */
  retentionBytes: number | null
}

export const DEFAULT_SETTINGS: AppSettings = { recordRuns: true, retentionBytes: 5 * GB }

/** Unknown keys are ignored (a newer app's file still opens); known ones must be right, or the file is not used. */
const SCHEMA = z.object({
  recordRuns: z.boolean().default(DEFAULT_SETTINGS.recordRuns),
  retentionBytes: z.number().int('expected a whole number of bytes').positive('expected a positive number of bytes, or null for unlimited').nullable().default(DEFAULT_SETTINGS.retentionBytes)
})

/** How a limit reads in the menu: "5 GB", "Unlimited". */
export function retentionLabel(bytes: number | null): string {
  if (bytes === null) return 'Unlimited'
  return bytes >= GB ? `${Number((bytes / GB).toFixed(2))} GB` : `${Number((bytes / 1024 ** 2).toFixed(1))} MB`
}

export class SettingsFile {
  private current: AppSettings

  constructor(
    private readonly store: string,
    private readonly log: Logger
  ) {
    this.current = this.read()
  }

  get value(): AppSettings {
    return { ...this.current }
  }

  private read(): AppSettings {
    let text: string
    try {
      text = readFileSync(this.store, 'utf8')
    } catch (error) {
      // No file yet is the usual case: the defaults, quietly.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`settings: cannot read ${this.store} (${reason(error)}); using the defaults`)
      return { ...DEFAULT_SETTINGS }
    }
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      this.log.warn(`settings: ${this.store} is not JSON (${reason(error)}); using the defaults`)
      return { ...DEFAULT_SETTINGS }
    }
    const parsed = SCHEMA.safeParse(data)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')
      this.log.warn(`settings: ${this.store}: ${boundedText(issues, 500)}; using the defaults`)
      return { ...DEFAULT_SETTINGS }
    }
    return parsed.data
  }

  /**
   * Changes and saves settings. The new values hold for this session even when the file cannot be
   * written (said in the log): a read-only data folder costs persistence, not the change.
   */
  update(patch: Partial<AppSettings>): AppSettings {
    this.current = SCHEMA.parse({ ...this.current, ...patch })
    try {
      mkdirSync(dirname(this.store), { recursive: true })
      // Written beside and renamed over: a crash mid-write leaves the old file, never half a new one.
      const temp = `${this.store}.${process.pid}.tmp`
      writeFileSync(temp, `${JSON.stringify(this.current, null, 2)}\n`)
      renameSync(temp, this.store)
    } catch (error) {
      this.log.warn(`settings: cannot save ${this.store} (${reason(error)}); the change holds until the app quits`)
    }
    return this.value
  }
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error))
