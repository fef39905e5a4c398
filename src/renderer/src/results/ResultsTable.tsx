// The runs of a results table, one row each, virtualised (10,000 runs stay quick), sorted by any column
// (click its header); a click or Up/Down selects a run, Enter opens its recording.
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { ResultsDataset } from '../../../shared/resultsTable'
import { sortedRows, type SortDirection } from './order'

const ROW_PX = 22
const COLUMN_PX = 110

interface Props {
  dataset: ResultsDataset
  selected: number | null
  onSelect(row: number): void
  onOpen(row: number): void
}

export function ResultsTable({ dataset, selected, onSelect, onOpen }: Props) {
  const [sort, setSort] = useState<{ column: string; direction: SortDirection }>({ column: 'index', direction: 'ascending' })
  const order = useMemo(() => sortedRows(dataset.columns.find((c) => c.name === sort.column), sort.direction, dataset.rows), [dataset, sort])
  const position = useMemo(() => {
    const at = new Int32Array(dataset.rows)
    order.forEach((row, i) => (at[row] = i))
    return at
  }, [order, dataset.rows])
  const scroller = useRef<HTMLDivElement>(null)
  const virtual = useVirtualizer({ count: dataset.rows, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 16 })
  const width = dataset.columns.length * COLUMN_PX

  // A run selected elsewhere (the scatter) is scrolled into view.
  useEffect(() => {
    if (selected !== null && selected < dataset.rows) virtual.scrollToIndex(position[selected]!, { align: 'auto' })
  }, [selected, position])

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (dataset.rows === 0) return
    const at = selected === null ? -1 : position[selected]!
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_PX * 10) / ROW_PX) - 1)
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + page, PageUp: at - page, Home: 0, End: dataset.rows - 1 }
    if (e.key in moves) {
      e.preventDefault()
      onSelect(order[Math.max(0, Math.min(dataset.rows - 1, moves[e.key]!))]!)
    } else if (e.key === 'Enter' && selected !== null) {
      e.preventDefault()
      onOpen(selected)
    }
  }

  const toggle = (column: string): void =>
    setSort((s) => ({ column, direction: s.column === column && s.direction === 'ascending' ? 'descending' : 'ascending' }))

  return (
    <div className="results-table" role="table" aria-label={`Runs of ${dataset.name}`} aria-rowcount={dataset.rows + 1}>
      <div className="results-scroll" ref={scroller} tabIndex={0} onKeyDown={onKeyDown} aria-label="Runs: Up and Down select a run, Enter opens its recording" data-testid="results-rows">
        <div className="results-head" role="row" style={{ width }}>
          {dataset.columns.map((c) => (
            <div key={c.name} role="columnheader" className="results-cell" aria-sort={sort.column === c.name ? sort.direction : 'none'} style={{ width: COLUMN_PX }}>
              <button type="button" className="results-sort" title={`Sort by ${c.name}`} onClick={() => toggle(c.name)}>
                {c.name}
                {sort.column === c.name ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}
              </button>
            </div>
          ))}
        </div>
        <div style={{ height: virtual.getTotalSize(), width, position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const row = order[item.index]!
            const failed = dataset.status[row] !== 'ok'
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={row === selected}
                data-run={dataset.index[row]}
                className={`results-row${row === selected ? ' selected' : ''}${failed ? ' failed' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_PX, width }}
                onClick={() => onSelect(row)}
                onDoubleClick={() => onOpen(row)}
              >
                {dataset.columns.map((c) => (
                  <div key={c.name} role="cell" className={`results-cell${c.kind === 'number' ? ' num' : ''}`} style={{ width: COLUMN_PX }} title={c.texts[row]}>
                    {c.texts[row]}
                  </div>
                ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
