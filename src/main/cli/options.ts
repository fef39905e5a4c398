// Command-line values shared by several commands: --set overrides and --metric specs, read as they come.
import { InvalidArgumentError } from 'commander'
import { parseSet, SetError, type ConfigSet } from '../engine/config/override'
import { MetricError, parseNamedMetric, type MetricSpec } from '../sweep/metrics'

/** Repeatable `--set PATH=VALUE`. */
export const collectSet = (text: string, previous: ConfigSet[] = []): ConfigSet[] => {
  try {
    return [...previous, parseSet(text)]
  } catch (error) {
    if (error instanceof SetError) throw new InvalidArgumentError(error.message)
    throw error
  }
}

/** Repeatable `--metric [NAME=]STAT(SIGNAL)`. */
export const collectMetric = (text: string, previous: MetricSpec[] = []): MetricSpec[] => {
  try {
    const metric = parseNamedMetric(text)
    if (previous.some((m) => m.name === metric.name)) throw new InvalidArgumentError(`two metrics are named '${metric.name}'; name them apart (NAME=${text})`)
    return [...previous, metric]
  } catch (error) {
    if (error instanceof MetricError) throw new InvalidArgumentError(error.message)
    throw error
  }
}
