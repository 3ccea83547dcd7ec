/** The file formats of `dynafeast export` (apart from export.ts so the CLI parser loads no DuckDB). */
export const EXPORT_FORMATS = ['parquet', 'csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
