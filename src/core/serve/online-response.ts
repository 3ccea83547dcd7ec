/**
 * A read's columns → the body `feast serve` answers to POST /get-online-features, byte for byte:
 * `{"results":[{"values":[…],"statuses":[…],"event_timestamps":[…]},…],"metadata":{"feature_names":[…]}}`,
 * one result per column, join keys first (status PRESENT, the empty Timestamp). The read was made with
 * valueFormat `feast-json`, so every value is already its JSON text.
 *
 * Two rules of Feast's Python server (`_group_feature_refs`, `_populate_response_from_feature_data`):
 * - features come grouped by view, views in the order first asked for. Within a view Feast's order is
 *   that of a Python set (it changes with the process's hash seed); dynafeast keeps the order asked for.
 * - a stored null is `PRESENT` with a null value: Feast's Python server never answers NULL_VALUE. (An
 *   expired row stays OUTSIDE_MAX_AGE with a null value, as Feast's Go server answers it; the Python server
 *   does not check ttl at all — see docs/serve.md.)
 */
import type { OnlineColumn, OnlineFeaturesColumns } from '../online/types.js';
import { feastTimestamp } from '../online/feast-json.js';

const EPOCH = '"1970-01-01T00:00:00Z"';

/** Join keys, then features grouped by view in first-asked order (a stable sort keeps the order within a view). */
function feastOrder(columns: readonly OnlineColumn[]): OnlineColumn[] {
  const viewRank = new Map<string, number>();
  for (const c of columns) if (c.kind === 'feature' && c.view !== undefined && !viewRank.has(c.view)) viewRank.set(c.view, viewRank.size);
  const rank = (c: OnlineColumn) => (c.kind === 'joinKey' ? -1 : (viewRank.get(c.view ?? '') ?? 0));
  return [...columns].sort((a, b) => rank(a) - rank(b));
}

export function onlineResponseJson(read: OnlineFeaturesColumns): string {
  const results: string[] = [];
  const names: string[] = [];
  // The features of one view share their event-time array (view-columns.ts): formatted once per view.
  const timesOf = new Map<readonly bigint[], string>();
  for (const c of feastOrder(read.columns)) {
    names.push(JSON.stringify(c.name));
    const values = c.values.map((v) => (v === null || v === undefined ? 'null' : (v as string))).join(',');
    const statuses = c.statuses.map((s) => (s === 'NULL_VALUE' ? '"PRESENT"' : `"${s}"`)).join(',');
    let times = '';
    if (read.rowCount > 0) {
      const micros = c.eventMicros;
      if (micros === undefined) times = `,"event_timestamps":[${new Array<string>(read.rowCount).fill(EPOCH).join(',')}]`;
      else {
        let list = timesOf.get(micros);
        if (list === undefined) {
          list = micros.map((m) => `"${feastTimestamp(m)}"`).join(',');
          timesOf.set(micros, list);
        }
        times = `,"event_timestamps":[${list}]`;
      }
    }
    results.push(`{"values":[${values}],"statuses":[${statuses}]${times}}`);
  }
  return `{"results":[${results.join(',')}],"metadata":{"feature_names":[${names.join(',')}]}}`;
}
