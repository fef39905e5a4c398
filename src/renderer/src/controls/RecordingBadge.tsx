// Whether the run is being recorded, and where: the schema's `recording` field (docs/protocol.md). The
// file's name is shown, its whole path in the tooltip and to screen readers; nothing when not recorded.
import { useConsole } from '../store/store'

export function RecordingBadge() {
  const file = useConsole((s) => s.schema?.recording?.file ?? null)
  if (file === null) return null
  const name = file.split(/[\\/]/).pop() ?? file
  return (
    <span className="recording" role="status" tabIndex={0} title={`recording every frame to ${file}`} aria-label={`Recording to ${file}`} data-testid="recording">
      <span className="rec-dot" aria-hidden="true" />
      REC <span className="rec-file">{name}</span>
    </span>
  )
}
