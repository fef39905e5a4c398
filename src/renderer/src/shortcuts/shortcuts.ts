// The console's keyboard shortcuts: one list (shown by `?`), and the rule for when they may fire.

export interface Shortcut {
  keys: string
  does: string
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Space', does: 'Pause or resume the run' },
  { keys: 'N', does: 'Step one frame (while paused)' },
  { keys: 'Shift+R', does: 'Reset the run (asks first unless turned off)' },
  { keys: 'M', does: 'Add a note at the current time (a recorded run)' },
  { keys: '?', does: 'Show these shortcuts' },
  { keys: 'Arrow keys, Home, End', does: 'Signal tree: move, open and close modules' },
  { keys: 'Enter', does: 'Signal tree: plot the focused signal' },
  { keys: 'A letter', does: 'Signal tree: jump to the next name starting with it' },
  { keys: '← → (plot focused)', does: 'Move the cursor; with Shift, pan' },
  { keys: '+ − (plot focused)', does: 'Zoom in and out around the cursor' },
  { keys: 'L (plot focused)', does: 'Back to live' },
  { keys: 'Escape', does: 'Close a dialog' }
]

/** Controls that own their keys: while one of them has focus, no global shortcut fires. */
const OWNS_KEYS = 'button, a[href], input, select, textarea, [contenteditable=""], [contenteditable="true"], [role=tree], [role=treeitem], [role=dialog], [role=alertdialog], [role=tablist], [role=tab], [role=separator], [role=menu], [role=application]'

export function mayFireGlobal(target: EventTarget | null): boolean {
  if (!target || !(target instanceof Element)) return true
  return target.closest(OWNS_KEYS) === null
}
