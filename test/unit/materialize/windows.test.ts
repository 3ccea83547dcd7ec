import { create } from '@bufbuild/protobuf';
import { FeatureViewMetaSchema, FeatureViewSchema, FeatureViewSpecSchema, MaterializationIntervalSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { RegistrySchema } from '../../../src/gen/feast/core/Registry_pb.js';
import { fixedWindows, incrementalWindows, NO_TTL_LOOKBACK_MICROS, selectViews } from '../../../src/core/materialize/windows.js';
import { timestampFromMicros } from '../../../src/core/registry/time.js';
import type { RepoModel } from '../../../src/core/repo/model.js';
import { makeView, scalar } from '../../helpers/view-fixtures.js';
import { defined } from '../../helpers/defined.js';
import { MIN_EVENT_MICROS } from '../../../src/core/layout/event-ts.js';

const DAY = 86_400_000_000n;
const a = { ...makeView('a', [{ name: 'driver_id', dtype: 'Int64' }], [['x', scalar('Int64')]]), ttlMicros: DAY };
const b = makeView('b', [], [['y', scalar('Int64')]]);
const off = { ...makeView('offline_only', [], []), online: false };
const repo = { featureViews: [a, b, off] } as unknown as RepoModel;

describe('selectViews', () => {
  it('takes every online view by default, and the named ones in order otherwise', () => {
    expect(selectViews(repo, undefined).map((v) => v.name)).toEqual(['a', 'b']);
    expect(selectViews(repo, ['b', 'a', 'b']).map((v) => v.name)).toEqual(['b', 'a']);
  });
  it('rejects unknown and offline views', () => {
    expect(() => selectViews(repo, ['aa'])).toThrow(expect.objectContaining({ code: 'repo.unknownFeatureView' }));
    expect(() => selectViews(repo, ['offline_only'])).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
  });
});

describe('fixedWindows', () => {
  it('accepts START = END and rejects START > END', () => {
    expect(fixedWindows([a], 5n, 5n)).toEqual([{ view: a, startMicros: 5n, endMicros: 5n }]);
    expect(() => fixedWindows([a], 6n, 5n)).toThrow(expect.objectContaining({ code: 'usage.badArgument' }));
  });
});

describe('incrementalWindows', () => {
  const now = 1_000n * DAY;
  const registryWith = (view: string, ends: bigint[]) =>
    create(RegistrySchema, {
      featureViews: [
        create(FeatureViewSchema, {
          spec: create(FeatureViewSpecSchema, { name: view, project: 'p' }),
          meta: create(FeatureViewMetaSchema, {
            materializationIntervals: ends.map((e) =>
              create(MaterializationIntervalSchema, { startTime: timestampFromMicros(e - DAY), endTime: timestampFromMicros(e) }),
            ),
          }),
        }),
      ],
    });

  it('starts a first run at now - ttl, or 52 weeks back for ttl 0, like Feast', () => {
    const { windows } = incrementalWindows([a, b], undefined, 'p', now, now);
    expect(windows.map((w) => [w.view.name, w.startMicros, w.endMicros])).toEqual([
      ['a', now - DAY, now],
      ['b', now - NO_TTL_LOOKBACK_MICROS, now],
    ]);
    expect(NO_TTL_LOOKBACK_MICROS).toBe(364n * DAY);
  });

  it('starts a ttl longer than the calendar reaches back at year 0001, not before', () => {
    const ancient = { ...a, ttlMicros: 1_000_000n * 365n * DAY };
    const { windows } = incrementalWindows([ancient], undefined, 'p', now, now);
    expect(defined(windows[0]).startMicros).toBe(MIN_EVENT_MICROS);
  });

  it('starts at the latest recorded end of the view in this project', () => {
    const registry = registryWith('a', [now - 10n * DAY, now - 3n * DAY, now - 5n * DAY]);
    const { windows } = incrementalWindows([a], registry, 'p', now, now);
    expect(defined(windows[0]).startMicros).toBe(now - 3n * DAY);
    expect(defined(incrementalWindows([a], registry, 'other', now, now).windows[0]).startMicros).toBe(now - DAY);
  });

  it('leaves out views already materialized past END', () => {
    const registry = registryWith('a', [now]);
    const { windows, upToDate } = incrementalWindows([a], registry, 'p', now - DAY, now);
    expect(windows).toEqual([]);
    expect(upToDate.map((w) => w.startMicros)).toEqual([now]);
  });

  it('says why a window is empty: recorded past END, or a first run whose now - ttl start is after END', () => {
    const recorded = defined(incrementalWindows([a], registryWith('a', [now]), 'p', now - DAY, now).upToDate[0]);
    expect(recorded.empty).toMatchObject({ status: 'up to date' });
    expect(defined(recorded.empty).reason).toMatch(/already materialized up to .* after END/);

    // never materialized, END two days back, ttl one day: the first run would start after END
    const first = incrementalWindows([a, b], undefined, 'p', now - 2n * DAY, now);
    expect(first.windows.map((w) => w.view.name)).toEqual(['b']);
    const [w] = first.upToDate;
    expect(defined(defined(w).empty).status).toBe('empty window');
    expect(defined(defined(w).empty).reason).toMatch(/never materialized/);
    expect(defined(defined(w).empty).reason).toMatch(/now - ttl \(1d\)/);
    expect(defined(defined(w).empty).reason).not.toMatch(/already materialized/);
    expect(defined(defined(w).empty).reason).toMatch(/materialize START END/);

    const noTtl = defined(incrementalWindows([b], undefined, 'p', now - 400n * DAY, now).upToDate[0]);
    expect(defined(noTtl.empty).reason).toMatch(/52 weeks \(the view has no ttl\)/);
  });
});
