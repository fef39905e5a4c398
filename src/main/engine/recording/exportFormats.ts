// The formats `hermes export` writes: apart from export.ts so that the CLI can name them in its help
// without loading the Parquet writer.
export const EXPORT_FORMATS = ['csv', 'parquet'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
