/**
 * The /get-online-features body: each view's event times are formatted once and shared by its features
 * (online-response.ts); every column must still carry its own view's times, row by row.
 */
import fc from 'fast-check';
import { feastTimestamp } from '../../../src/core/online/feast-json.js';
import type { OnlineColumn } from '../../../src/core/online/types.js';
import { onlineResponseJson } from '../../../src/core/serve/online-response.js';

/** Microseconds with and without a fraction, before and after the epoch, and 0 (no row). */
const micros = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: -(10n ** 15n), max: 4n * 10n ** 15n }),
  fc.bigInt({ min: 0n, max: 4n * 10n ** 9n }).map((s) => s * 1_000_000n),
);

describe('onlineResponseJson', () => {
  it("gives every feature its own view's event times, whichever views share a body and in which order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((rows) =>
          fc.record({
            rows: fc.constant(rows),
            // per view: the times of its rows and how many features were asked of it
            views: fc.array(fc.record({ times: fc.array(micros, { minLength: rows, maxLength: rows }), features: fc.integer({ min: 1, max: 3 }) }), {
              minLength: 1,
              maxLength: 3,
            }),
          }),
        ),
        ({ rows, views }) => {
          const columns: OnlineColumn[] = [
            {
              name: 'driver_id',
              kind: 'joinKey',
              values: new Array(rows).fill('1'),
              statuses: new Array(rows).fill('PRESENT'),
              eventTimestamps: new Array(rows).fill(0),
            },
          ];
          views.forEach((v, i) => {
            // one array per view, as view-columns.ts hands it to the view's features
            for (let j = 0; j < v.features; j++) {
              columns.push({
                name: `v${i}_f${j}`,
                kind: 'feature',
                view: `v${i}`,
                values: new Array(rows).fill('1'),
                statuses: new Array(rows).fill('PRESENT'),
                eventTimestamps: new Array(rows).fill(0),
                eventMicros: v.times,
              });
            }
          });
          const body = JSON.parse(onlineResponseJson({ rowCount: rows, columns })) as {
            results: Array<{ event_timestamps: string[] }>;
            metadata: { feature_names: string[] };
          };
          body.metadata.feature_names.forEach((name, k) => {
            const view = /^v(\d+)_/.exec(name)?.[1];
            const want = view === undefined ? new Array(rows).fill('1970-01-01T00:00:00Z') : views[Number(view)]?.times.map(feastTimestamp);
            expect(body.results[k]?.event_timestamps).toEqual(want);
          });
        },
      ),
    );
  });
});
