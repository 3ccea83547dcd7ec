/** features.yaml text for the repos tests generate: feature views written one way, from data. */

/** One feature view: `schema` is [feature name, dtype] in order. */
export interface ViewYaml {
  name: string;
  entities: string[];
  ttl: string | number;
  source: string;
  schema: Array<[string, string]>;
}

/** The example's driver_hourly_stats features (examples/driver-stats/features.yaml). */
export const DRIVER_STATS_SCHEMA: Array<[string, string]> = [
  ['conv_rate', 'Float32'],
  ['acc_rate', 'Float32'],
  ['avg_daily_trips', 'Int64'],
];

/** The `feature_views:` section holding `views`. */
export function featureViewsYaml(views: ViewYaml[]): string {
  const lines = views.flatMap((v) => [
    `  - name: ${v.name}`,
    `    entities: [${v.entities.join(', ')}]`,
    `    ttl: ${v.ttl}`,
    `    source: ${v.source}`,
    '    schema:',
    ...v.schema.map(([name, dtype]) => `      - {name: ${name}, dtype: ${dtype}}`),
  ]);
  return ['feature_views:', ...lines, ''].join('\n');
}
