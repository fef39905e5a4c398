// `hermes sweep --on kubernetes`: an Indexed Job whose every completion index runs the run-one contract
// (JOB_COMPLETION_INDEX), writing its row into a results volume; nothing is submitted from here.
import { basename, extname } from 'node:path'
import type { Job } from 'kubernetes-types/batch/v1'
import { stringify } from 'yaml'
import type { Sweep } from './sweepFile'

export interface KubernetesOptions {
  image: string
  /** PersistentVolumeClaim holding the results folder, mounted at `resultsMount`. */
  resultsClaim: string
  resultsMount: string
  /** The sweep file inside the container. */
  sweepPath: string
  parallelism: number
  /** How the image starts hermes: `hermes`, or `node /app/out/main/cli.js`. */
  command: string[]
  name?: string
}

/** A DNS-1123 label of at most 63 characters (an Indexed Job's pods are named after it). */
export function jobName(sweep: Sweep, name?: string): string {
  const base = (name ?? `hermes-sweep-${basename(sweep.file, extname(sweep.file))}`)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return (base.slice(0, 52).replace(/-+$/, '') || 'hermes-sweep')
}

/** The Job, typed as the Kubernetes API defines it. */
export function kubernetesJob(sweep: Sweep, opts: KubernetesOptions): Job {
  const [command, ...prefix] = opts.command.length > 0 ? opts.command : ['hermes']
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(sweep, opts.name), labels: { 'app.kubernetes.io/name': 'hermes-sweep', 'app.kubernetes.io/component': 'run-one' } },
    spec: {
      completionMode: 'Indexed',
      completions: sweep.runs,
      parallelism: Math.max(1, Math.min(opts.parallelism, sweep.runs)),
      // run-one exits 0 once it has written a row, for a failed run too: a retry is for a pod that died.
      backoffLimitPerIndex: 2,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'hermes-sweep' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'run-one',
              image: opts.image,
              command: [command!],
              args: [...prefix, 'sweep', 'run-one', opts.sweepPath, '--out', opts.resultsMount, '--index-from', 'JOB_COMPLETION_INDEX'],
              env: [{ name: 'HERMES_LOG', value: 'warn' }],
              volumeMounts: [{ name: 'results', mountPath: opts.resultsMount }]
            }
          ],
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: opts.resultsClaim } }]
        }
      }
    }
  }
}

export function kubernetesManifest(sweep: Sweep, opts: KubernetesOptions): string {
  const header = `# Hermes sweep ${sweep.file}: ${sweep.runs} runs as an Indexed Job; every index runs\n# 'hermes sweep run-one' with JOB_COMPLETION_INDEX and writes its row to the results volume.\n# Then, where that volume is mounted: hermes sweep collect <sweep file> --out <the results folder>\n`
  return `${header}${stringify(kubernetesJob(sweep, opts))}`
}
