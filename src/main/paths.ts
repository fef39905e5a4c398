// Where the project's files are: this file sits two levels below the project root both in src/main and in out/main.
import { resolve } from 'node:path'

export const PROJECT_ROOT = resolve(__dirname, '..', '..')
export const RESOURCES_DIR = resolve(PROJECT_ROOT, 'resources')
export const DEFAULT_CONFIG = resolve(RESOURCES_DIR, 'examples', 'demo.yaml')
/** The built console, served over HTTP on the engine's port. */
export const RENDERER_DIR = resolve(PROJECT_ROOT, 'out', 'renderer')
