// Config errors and warnings that name the file, the YAML path, the line and the column.
import { escapeControl } from '../../../shared/text/bounded'

export type ConfigPath = readonly (string | number)[]

export interface ConfigIssue {
  severity: 'error' | 'warning'
  file: string
  /** 1-based; 0 when the problem is not tied to a place in the file (a missing file). */
  line: number
  column: number
  path: string
  message: string
}

/** `modules.vehicle.signals[1].name` */
export function formatPath(path: ConfigPath): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else text += text ? `.${part}` : part
  }
  return text
}

export function formatIssue(issue: ConfigIssue): string {
  // The file name comes from the user too (a command-line argument): it must not forge lines either.
  const file = escapeControl(issue.file)
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : file
  const label = issue.severity === 'warning' ? 'warning: ' : ''
  return `${where}: ${label}${issue.path ? `${issue.path}: ` : ''}${issue.message}`
}

/** Thrown by loadConfigFile when a file cannot be used; carries every error found, not just the first. */
export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly warnings: ConfigIssue[] = []
  ) {
    super(issues.map(formatIssue).join('\n'))
    this.name = 'ConfigError'
  }
}
