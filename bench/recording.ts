// `npm run bench -- recording`: the format comparison, then the recorder's own rows (issue 12).
import { recordingFormatBench } from './recordingFormat'

export async function recordingBench(): Promise<void> {
  await recordingFormatBench()
}
