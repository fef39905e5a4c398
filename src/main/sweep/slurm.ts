// `hermes sweep --on slurm`: one job array (`sbatch --array`) whose every task runs the run-one contract
// with its SLURM_ARRAY_TASK_ID, writing its row into the results folder on shared storage.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic'
import { jobName } from './kubernetes'
import { formatRanges } from './ranges'
import type { Sweep } from './sweepFile'

export interface SlurmOptions {
  /** The Node that runs hermes on the nodes, the CLI entry and Node's own arguments (as this process was started). */
  node: string
  module: string
  execArgv: string[]
  /** Where the tasks start (as this command did): Node's own arguments (`--import tsx`) resolve from there. */
  cwd: string
  /** More arguments for sbatch (--partition=..., --time=...). */
  sbatchArgs: string[]
  /** sbatch --wait: return when the array has ended. */
  wait: boolean
  /** Most tasks running at once (`--array=...%N`), or null for the cluster's limit. */
  parallelism: number | null
  name?: string
}

/** Single-quoted for sh: nothing in it is expanded. */
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

/** The batch script: Slurm directives, then run-one for this task's index. */
export function slurmScript(sweep: Sweep, indices: readonly number[], opts: SlurmOptions): string {
  const logs = join(sweep.resultsDir, 'logs')
  const command = [opts.node, ...opts.execArgv, opts.module, 'sweep', 'run-one', sweep.file, '--out', sweep.resultsDir, '--index-from', 'SLURM_ARRAY_TASK_ID']
  return [
    '#!/bin/sh',
    `#SBATCH --job-name=${jobName(sweep, opts.name)}`,
    `#SBATCH --array=${formatRanges(indices)}${opts.parallelism ? `%${opts.parallelism}` : ''}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --chdir=${opts.cwd}`,
    `#SBATCH --output=${logs}/slurm-%A_%a.out`,
    `# Hermes sweep ${sweep.file}: run-one writes the row of run $SLURM_ARRAY_TASK_ID into ${sweep.resultsDir}`,
    `export HERMES_LOG=warn`,
    `exec ${command.map(quote).join(' ')}`,
    ''
  ].join('\n')
}

/** Writes the script into the results folder and submits it; resolves with the job id and the script's path. */
export async function submitSlurm(sweep: Sweep, indices: readonly number[], opts: SlurmOptions): Promise<{ jobId: string; script: string }> {
  mkdirSync(join(sweep.resultsDir, 'logs'), { recursive: true })
  const script = join(sweep.resultsDir, 'slurm', `array-${Date.now()}.sh`)
  mkdirSync(join(sweep.resultsDir, 'slurm'), { recursive: true })
  writeFileAtomic(script, slurmScript(sweep, indices, opts))
  const args = ['--parsable', ...(opts.wait ? ['--wait'] : []), ...opts.sbatchArgs, script]
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('sbatch', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'ENOENT' ? 'sbatch is not installed here (is this a Slurm login node?)' : `cannot start sbatch: ${error.message}`)))
    child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }))
  })
  const jobId = stdout.trim().split('\n')[0]?.split(';')[0] ?? ''
  // With --wait, sbatch exits with the array's worst exit code: run-one fails only when it could not write a row.
  if (!/^\d+$/.test(jobId)) throw new Error(`sbatch ${args.join(' ')} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`)
  if (code !== 0 && opts.wait) process.stderr.write(`hermes sweep: some tasks of job ${jobId} failed (sbatch exit ${code}); see ${join(sweep.resultsDir, 'logs')}\n`)
  return { jobId, script }
}
