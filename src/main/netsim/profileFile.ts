// Resolves --profile: a built-in name, or a YAML file validated with zod and reported with line and column.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import type { z } from 'zod'
import { ConfigError, formatPath, type ConfigIssue } from '../engine/config/issues'
import { SourcePositions } from '../engine/config/positions'
import { applyPatch, conditionsPatchSchema, isProfileName, linkPatchSchema, PROFILE_NAMES, profile, type ConditionsPatch, type NetworkConditions, type PatchProblem } from './conditions'

export interface ResolvedProfile {
  name: string
  conditions: NetworkConditions
}

/** Validates a patch from anywhere (YAML data, a PUT body); problems name the key they are about. */
export function parsePatch(data: unknown): { ok: true; patch: ConditionsPatch } | { ok: false; problems: PatchProblem[] } {
  const result = conditionsPatchSchema.safeParse(data)
  if (result.success) return { ok: true, patch: result.data }
  return { ok: false, problems: result.error.issues.flatMap(describe) }
}

function describe(issue: z.core.$ZodIssue): PatchProblem[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)))
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(path.length === 0 ? conditionsPatchSchema.shape : linkPatchSchema.shape)
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key '${key}'; known keys: ${known.join(', ')}` }))
  }
  return [{ path, message: issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '') }]
}

/** `perfect`, `stressed`... or a path to a YAML profile (anything with a slash or a .yaml/.yml ending). */
export function resolveProfile(nameOrFile: string): ResolvedProfile {
  if (isProfileName(nameOrFile)) return { name: nameOrFile, conditions: profile(nameOrFile) }
  if (!/[\\/]|\.ya?ml$/i.test(nameOrFile)) {
    throw new ConfigError([{ severity: 'error', file: nameOrFile, line: 0, column: 0, path: '', message: `not a built-in profile (${PROFILE_NAMES.join(', ')}) nor a .yaml file` }])
  }
  return loadProfileFile(nameOrFile)
}

export function loadProfileFile(file: string): ResolvedProfile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigError([{ severity: 'error', file, line: 0, column: 0, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot be read (${String(code)})` }])
  }
  return parseProfile(text, file)
}

/** In file order, as a reader goes through them. */
const byPlace = (issues: ConfigIssue[]): ConfigIssue[] => issues.sort((a, b) => a.line - b.line || a.column - b.column)

/** Parses YAML profile text; `file` names it in messages. A profile starts from `perfect` unless it `extends` another. */
export function parseProfile(text: string, file: string): ResolvedProfile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const positions = new SourcePositions(doc, lineCounter)
  const issue = (path: (string | number)[], message: string, key = false): ConfigIssue => {
    const pos = positions.of(path, { key })
    return { severity: 'error', file, line: pos.line, column: pos.column, path: formatPath(path), message }
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = positions.at(e.pos[0])
        return { severity: 'error', file, line: pos.line, column: pos.column, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` }
      })
    )
  }
  const data: unknown = doc.toJS()
  if (data === null || data === undefined) throw new ConfigError([issue([], 'the file is empty; expected a mapping such as "extends: stressed" or "latency_ms: 100"')])
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([issue([], 'expected a mapping (key: value) at the top level')])

  const parsed = parsePatch(data)
  if (!parsed.ok) throw new ConfigError(byPlace(parsed.problems.map((p) => issue(p.path, p.message, p.message.startsWith('unknown key')))))
  const applied = applyPatch(profile('perfect'), parsed.patch)
  if (applied.problems.length > 0) throw new ConfigError(applied.problems.map((p) => issue(p.path, p.message)))
  return { name: applied.name ?? resolve(file), conditions: applied.conditions }
}
