// The results table the console has open (a sweep's results.csv or .parquet), the run selected in it, and
// why the last file was refused. A store of its own: the run's store knows nothing of sweeps.
import { create } from 'zustand'
import { parseResultsFile, type ResultsDataset } from '../../../shared/resultsTable'

interface ResultsState {
  dataset: ResultsDataset | null
  /** The table's absolute path when the desktop app opened it (recordings are relative to it); null in a browser. */
  path: string | null
  /** The selected run's row (not its index), or null. */
  selected: number | null
  /** Why the last file could not be opened, or null. */
  error: string | null
  loading: boolean
  open(name: string, bytes: Uint8Array, path?: string | null): Promise<boolean>
  fail(error: string): void
  select(row: number | null): void
  close(): void
}

export const useResults = create<ResultsState>((set) => ({
  dataset: null,
  path: null,
  selected: null,
  error: null,
  loading: false,
  async open(name, bytes, path = null) {
    set({ loading: true })
    try {
      const dataset = await parseResultsFile(name, bytes)
      set({ dataset, path, selected: null, error: null, loading: false })
      return true
    } catch (error) {
      // A refused file changes nothing that is open.
      set({ error: error instanceof Error ? error.message : String(error), loading: false })
      return false
    }
  },
  fail: (error) => set({ error }),
  select: (row) => set({ selected: row }),
  close: () => set({ dataset: null, path: null, selected: null, error: null })
}))
