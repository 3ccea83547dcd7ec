/**
 * A file source's format from its path when `format:` is not written. Folders and globs without an
 * extension are taken as parquet: that is how hive-partitioned datasets are laid out.
 */
const PARQUET = ['.parquet', '.pq', '.parq'];
const CSV = ['.csv', '.csv.gz', '.csv.zst', '.csv.bz2'];

export function inferFormat(path: string): 'parquet' | 'csv' | undefined {
  const last =
    path
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  const lower = last.toLowerCase();
  if (PARQUET.some((ext) => lower.endsWith(ext))) return 'parquet';
  if (CSV.some((ext) => lower.endsWith(ext))) return 'csv';
  // `*`, `**` or `year=2024` style names, or a bare folder name: no extension to go by.
  if (!/\.[A-Za-z0-9]+$/.test(lower) || /[*?[\]]$/.test(lower)) return 'parquet';
  return undefined;
}
