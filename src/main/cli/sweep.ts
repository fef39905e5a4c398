// `hermes sweep`: its options and subcommands. What they do is in sweepActions.ts, loaded only when a
// sweep command runs, so that `hermes run` and the others start without the sweep machinery.
import { Command, InvalidArgumentError, Option } from 'commander'
import type { RunOneOptions, SweepOptions } from './sweepActions'

const integer = (flag: string, min: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} expects an integer of at least ${min}, got '${value}'`)
  return n
}

const collectArg = (value: string, previous: string[] = []): string[] => [...previous, value]

const actions = () => import('./sweepActions')

/** Registers `sweep` (with run-one, collect and the hidden pool worker) on the hermes program. */
export function addSweepCommand(program: Command): void {
  // `sweep` and its subcommands share option names (--out): an option belongs to the command it follows.
  program.enablePositionalOptions()
  const sweep = program
    .command('sweep')
    .enablePositionalOptions()
    .description('run every run of a sweep file (parameters, metrics: docs/sweeps.md) on a pool of local worker processes, or hand them to Slurm or Kubernetes')
    .argument('<sweep>', 'sweep file (YAML)')
    .option('--jobs <n>', 'worker processes (default: one per core)', integer('--jobs', 1))
    .option('--out <dir>', 'results folder (default: <sweep>.results next to the sweep file, or its results: key)')
    .option('--retry-failed', 'run the runs recorded as failed again', false)
    .addOption(new Option('--on <executor>', 'where the runs run').choices(['local', 'slurm', 'kubernetes']).default('local'))
    .option('--no-progress', 'no progress line')
    .option('--sbatch-arg <arg>', 'Slurm: an argument for sbatch (repeatable): --sbatch-arg=--partition=short', collectArg, [])
    .option('--wait', 'Slurm: wait for the job array to end (sbatch --wait), then collect', false)
    .option('--parallelism <n>', 'Slurm: most tasks at once (--array=...%N); Kubernetes: the Job parallelism', integer('--parallelism', 1))
    .option('--image <image>', 'Kubernetes: the container image, with hermes, the sweep file and its configuration')
    .option('--results-claim <name>', 'Kubernetes: the PersistentVolumeClaim for the results folder')
    .option('--results-mount <path>', 'Kubernetes: where the results volume is mounted in the container', '/results')
    .option('--sweep-path <path>', 'Kubernetes: the sweep file inside the container (default: its path here)')
    .option('--command <cmd>', 'Kubernetes: how the image starts hermes', 'hermes')
    .option('--manifest <file>', 'Kubernetes: write the manifest to this file instead of stdout')
    .option('--name <name>', 'Slurm and Kubernetes: the job name (default: hermes-sweep-<sweep name>)')
    .action(async (file: string, opts: SweepOptions) => (await actions()).sweepCommand(file, opts))
  sweep
    .command('run-one')
    .description('run one run of a sweep by its index and write its row into the results folder (what Slurm and Kubernetes tasks run)')
    .argument('<sweep>', 'sweep file (YAML)')
    .option('--index <n>', 'the run index', integer('--index', 0))
    .option('--index-from <variable>', 'read the index from this environment variable (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX)')
    .option('--out <dir>', 'results folder (default as for sweep)')
    .action(async (file: string, opts: RunOneOptions) => (await actions()).runOne(file, opts))
  sweep
    .command('collect')
    .description('merge the rows of a results folder into results.csv and results.parquet; list missing and failed runs (exit 2 when runs are missing)')
    .argument('<sweep>', 'sweep file (YAML)')
    .option('--out <dir>', 'results folder (default as for sweep)')
    .action(async (file: string, opts: { out?: string }) => (await actions()).collect(file, opts))
  sweep.command('_worker', { hidden: true }).argument('<sweep>').requiredOption('--out <dir>').requiredOption('--fingerprint <hash>').action(async (file: string, opts: { out: string; fingerprint: string }) => (await actions()).poolWorker(file, opts))
}
