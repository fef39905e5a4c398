// Where the project's resources are: two levels above this file both in src/main and in out/main.
import { resolve } from 'node:path'

export const RESOURCES_DIR = resolve(__dirname, '..', '..', 'resources')
export const DEFAULT_CONFIG = resolve(RESOURCES_DIR, 'examples', 'demo.yaml')
