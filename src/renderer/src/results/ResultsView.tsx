// The results view: a sweep's table of runs, a scatter of any column against any other (the XY panel,
// fed from the table), a histogram of one; selecting a run marks it in each, and opening it replays its
// recording (the desktop app) or shows the command that does (a browser cannot start a replay server).
import { useEffect, useMemo, useRef, useState } from 'react'
import { numericColumns, type ResultsDataset } from '../../../shared/resultsTable'
import { desktop } from '../desktop/desktop'
import type { PanelConfig } from '../store/store'
import { useConsole } from '../store/store'
import { XyPanel } from '../panels/xy/XyPanel'
import type { XyPoints } from '../panels/xy/points'
import { Histogram } from './Histogram'
import { ResultsTable } from './ResultsTable'
import { useResults } from './resultsStore'
import './results.css'

const SCATTER_PANEL: PanelConfig = { id: 'results-scatter', kind: 'xy', title: 'Results scatter', signals: [] }

/** The first parameter (the column after index) against the last metric (the column before status), as a first look. */
function defaultAxes(d: ResultsDataset): { x: string; y: string } {
  const numeric = numericColumns(d)
  const names = d.columns.map((c) => c.name)
  const metricsEnd = names.indexOf('status')
  const y = [...names.slice(1, metricsEnd)].reverse().find((n) => numeric.includes(n)) ?? numeric[0] ?? 'index'
  const x = names.slice(1, metricsEnd).find((n) => numeric.includes(n) && n !== y) ?? 'index'
  return { x, y }
}

/** A recording named relative to the table, made absolute against the table's own path. */
export function recordingPath(tablePath: string, relative: string): string {
  return tablePath.replace(/[^/\\]*$/, '') + relative
}

function ColumnSelect({ label, value, names, onChange }: { label: string; value: string; names: readonly string[]; onChange(name: string): void }) {
  return (
    <label className="results-pick">
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  )
}

export function ResultsView() {
  const dataset = useResults((s) => s.dataset)
  if (!dataset) return null
  // Keyed by the table: another table starts with its own axes.
  return <ResultsOverlay key={`${dataset.name}#${dataset.rows}#${dataset.columns.length}`} dataset={dataset} />
}

function ResultsOverlay({ dataset }: { dataset: ResultsDataset }) {
  const { selected, select, close, path } = useResults()
  const log = useConsole((s) => s.addLog)
  const numeric = useMemo(() => numericColumns(dataset), [dataset])
  const [axes, setAxes] = useState(() => defaultAxes(dataset))
  const [histogramOf, setHistogramOf] = useState(() => axes.y)
  const [opening, setOpening] = useState<{ row: number; command: string; why: string } | null>(null)
  const closeButton = useRef<HTMLButtonElement>(null)
  const column = (n: string) => dataset.columns.find((c) => c.name === n)!

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    closeButton.current?.focus()
    return () => previous?.focus?.()
  }, [])

  const open = (row: number): void => {
    select(row)
    const rel = dataset.recording[row] ?? ''
    const run = dataset.index[row]
    if (!rel) {
      setOpening({ row, command: '', why: `Run ${run} kept no recording (the sweep's keep: metrics, or the run failed before its first frame).` })
      return
    }
    const api = desktop()
    if (api && path) {
      const file = recordingPath(path, rel)
      setOpening(null)
      void api.openRecording(file).then((result) => {
        if (result.ok) log('info', `replaying run ${run}: ${result.file}`)
        else log('error', `could not replay run ${run} (${file}): ${result.errors.join('; ')}`)
      })
      return
    }
    setOpening({
      row,
      command: `hermes replay ${rel}`,
      why: `A browser cannot start a replay server: run this in the folder that holds ${dataset.name} (the recording is named relative to it), then open the console it prints.`
    })
  }

  const points: XyPoints = useMemo(
    () => ({
      xLabel: axes.x,
      yLabel: axes.y,
      x: column(axes.x).numbers,
      y: column(axes.y).numbers,
      rows: Float64Array.from({ length: dataset.rows }, (_, i) => i),
      version: `${axes.x}\n${axes.y}`,
      selected,
      onPick: select,
      describe: (row) => `run ${dataset.index[row]}`
    }),
    [axes, dataset, selected]
  )

  const sel = selected !== null ? selected : null
  const failed = dataset.status.filter((s) => s !== 'ok').length
  return (
    <div
      className="results-view"
      role="dialog"
      aria-modal="true"
      aria-label={`Results: ${dataset.name}`}
      onKeyDown={(e) => {
        e.stopPropagation()
        if (e.key === 'Escape') close()
      }}
    >
      <header className="results-bar">
        <h2>{dataset.name}</h2>
        <span className="results-count">
          {dataset.rows} runs{failed > 0 ? `, ${failed} failed` : ''}
        </span>
        <ColumnSelect label="Scatter X" value={axes.x} names={numeric} onChange={(x) => setAxes((a) => ({ ...a, x }))} />
        <ColumnSelect label="Scatter Y" value={axes.y} names={numeric} onChange={(y) => setAxes((a) => ({ ...a, y }))} />
        <ColumnSelect label="Histogram of" value={histogramOf} names={numeric} onChange={setHistogramOf} />
        <span className="results-spacer" />
        <button ref={closeButton} type="button" onClick={close} title="Close the results (Escape)">
          Close
        </button>
      </header>
      <div className="results-body">
        <ResultsTable dataset={dataset} selected={sel} onSelect={select} onOpen={open} />
        <div className="results-charts">
          <div className="results-scatter">
            <XyPanel panel={SCATTER_PANEL} points={points} />
          </div>
          <Histogram name={histogramOf} values={column(histogramOf).numbers} selectedValue={sel === null ? null : column(histogramOf).numbers[sel]!} />
        </div>
      </div>
      <footer className="results-detail" role="status" aria-live="polite" data-testid="results-detail">
        {sel === null ? (
          <span className="results-note">Select a run (click a row or a point, or Up and Down in the table); Enter or Open replays its recording.</span>
        ) : (
          <>
            <span>
              Run {dataset.index[sel]}: {dataset.status[sel]}
              {column('error') && dataset.columns.some((c) => c.name === 'error') && column('error').texts[sel] ? ` — ${column('error').texts[sel]!.split('\n')[0]}` : ''}
            </span>
            <button type="button" onClick={() => open(sel)} disabled={!dataset.recording[sel]} title={dataset.recording[sel] ? `Replay ${dataset.recording[sel]}` : 'This run kept no recording'}>
              Open recording
            </button>
          </>
        )}
        {opening && opening.row === sel && (
          <div className="results-open" data-testid="results-open">
            <p>{opening.why}</p>
            {opening.command && (
              <p>
                <code data-testid="results-command">{opening.command}</code>{' '}
                <button
                  type="button"
                  onClick={() => {
                    void navigator.clipboard?.writeText(opening.command).then(
                      () => log('info', `copied: ${opening.command}`),
                      () => log('error', 'the browser did not allow copying: select the command and copy it')
                    )
                  }}
                >
                  Copy
                </button>
              </p>
            )}
          </div>
        )}
      </footer>
    </div>
  )
}
