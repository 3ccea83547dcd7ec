/**
 * A read's columns → the body `feast serve` answers to POST /get-online-features, byte for byte:
 * `{"results":[{"values":[…],"statuses":[…],"event_timestamps":[…]},…],"metadata":{"feature_names":[…]}}`,
 * one result per column, join keys first (status PRESENT, the empty Timestamp). The read was made with
 * valueFormat `feast-json`, so every value is already its JSON text.
 */
import type { OnlineFeaturesColumns } from '../online/types.js';
import { feastTimestamp } from '../online/feast-json.js';

const EPOCH = '"1970-01-01T00:00:00Z"';

export function onlineResponseJson(read: OnlineFeaturesColumns): string {
  const results: string[] = [];
  const names: string[] = [];
  for (const c of read.columns) {
    names.push(JSON.stringify(c.name));
    const values = c.values.map((v) => (v === null || v === undefined ? 'null' : (v as string))).join(',');
    const statuses = c.statuses.map((s) => `"${s}"`).join(',');
    let times = '';
    if (read.rowCount > 0) {
      const micros = c.eventMicros;
      const list = micros === undefined ? new Array<string>(read.rowCount).fill(EPOCH) : micros.map((m) => `"${feastTimestamp(m)}"`);
      times = `,"event_timestamps":[${list.join(',')}]`;
    }
    results.push(`{"values":[${values}],"statuses":[${statuses}]${times}}`);
  }
  return `{"results":[${results.join(',')}],"metadata":{"feature_names":[${names.join(',')}]}}`;
}
