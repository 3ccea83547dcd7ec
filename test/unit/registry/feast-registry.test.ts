/**
 * Registries written by Feast 0.67 itself, taken from the interop tier (docs/interop.md) with
 * INTEROP_KEEP=1:
 * - fixtures/feast-0.67-applied.registry.db: `feast apply` + `feast materialize` of
 *   test/interop/fixtures/python-repo (project interop_feast);
 * - fixtures/feast-0.67-rewrote-dynafeast.registry.db: the registry an earlier dynafeast applied for
 *   test/interop/fixtures/yaml-repo (project interop_dyna), after `feast materialize-incremental`
 *   rewrote it.
 * The YAML repo defines the same objects, so the plan over either must be empty.
 */
import type { FileSource } from '../../../src/core/repo/model.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clone, fromBinary, toBinary, toJson, type JsonValue } from '@bufbuild/protobuf';
import { RegistrySchema, type Registry } from '../../../src/gen/feast/core/Registry_pb.js';
import { FeatureViewSpecSchema } from '../../../src/gen/feast/core/FeatureView_pb.js';
import { FeatureServiceSpecSchema } from '../../../src/gen/feast/core/FeatureService_pb.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { reconcileRegistry } from '../../../src/core/registry/reconcile.js';
import { buildRepoModel } from '../../../src/core/repo/load-repo.js';
import type { RepoModel } from '../../../src/core/repo/model.js';
import { defined } from '../../helpers/defined.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const T1 = 1_800_000_000_000_000n;

function readRegistry(name: string): Registry {
  return fromBinary(RegistrySchema, readFileSync(path.join(here, 'fixtures', name)));
}

function interopRepo(): RepoModel {
  const file = path.join(here, '..', '..', 'interop', 'fixtures', 'yaml-repo', 'features.yaml');
  return buildRepoModel('/repo', [{ file: 'features.yaml', text: readFileSync(file, 'utf8') }]);
}

/** A spec as JSON without FileOptions.file_format: the Python sources name no format, the YAML ones are parquet. */
function withoutFileFormat(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(withoutFileFormat);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== 'fileFormat')
      .map(([k, x]) => [k, withoutFileFormat(x)]),
  );
}

const feastApplied = readRegistry('feast-0.67-applied.registry.db');
const feastRewrote = readRegistry('feast-0.67-rewrote-dynafeast.registry.db');

describe('registries written by Feast 0.67', () => {
  it('are what the fixtures say: no project_metadata, projections with stripped sources and the created column as timestamp_field', () => {
    expect(feastApplied.projectMetadata).toEqual([]);
    const fv = defined(feastApplied.featureViews.find((v) => defined(v.spec).name === 'all_types'));
    expect(defined(fv.spec?.batchSource).project).toBe('');
    const projection = defined(feastApplied.featureServices[0]?.spec?.features[0]);
    expect([projection.timestampField, defined(projection.batchSource).project, defined(projection.batchSource).dataSourceClassType]).toEqual([
      'created',
      '',
      '',
    ]);
    expect(projection.$unknown?.map((f) => f.no)).toEqual([11]); // view_type
  });

  it('plan nothing for the same definitions: Feast-applied, and ours after Feast rewrote it', () => {
    const repo = interopRepo();
    expect(reconcileRegistry(feastApplied, 'interop_feast', buildRegistryObjects('interop_feast', repo), T1).changes).toEqual([]);
    expect(reconcileRegistry(feastRewrote, 'interop_dyna', buildRegistryObjects('interop_dyna', repo), T1).changes).toEqual([]);
  });

  it('are matched field for field by the views and feature services dynafeast builds', () => {
    const ours = buildRegistryObjects('interop_feast', interopRepo());
    for (const view of ours.featureViews) {
      const theirs = defined(feastApplied.featureViews.find((v) => defined(v.spec).name === defined(view.spec).name));
      expect(withoutFileFormat(toJson(FeatureViewSpecSchema, defined(view.spec)))).toEqual(
        withoutFileFormat(toJson(FeatureViewSpecSchema, defined(theirs.spec))),
      );
    }
    const service = defined(ours.featureServices[0]?.spec);
    const theirs = defined(feastApplied.featureServices[0]?.spec);
    expect(withoutFileFormat(toJson(FeatureServiceSpecSchema, service))).toEqual(withoutFileFormat(toJson(FeatureServiceSpecSchema, theirs)));
    expect(service.features.map((p) => p.$unknown)).toEqual(theirs.features.map((p) => p.$unknown));
  });

  it('plan nothing over a registry an earlier dynafeast wrote (project on embedded sources, event column in projections)', () => {
    const repo = interopRepo();
    const now = reconcileRegistry(undefined, 'interop_dyna', buildRegistryObjects('interop_dyna', repo), T1).registry;
    const older = clone(RegistrySchema, now);
    for (const v of older.featureViews) defined(v.spec?.batchSource).project = 'interop_dyna';
    for (const p of defined(older.featureServices[0]?.spec).features) {
      p.timestampField = 'event_timestamp';
      defined(p.batchSource).project = 'interop_dyna';
      defined(p.batchSource).dataSourceClassType = 'feast.infra.offline_stores.file_source.FileSource';
      p.$unknown = undefined;
    }
    expect(reconcileRegistry(older, 'interop_dyna', buildRegistryObjects('interop_dyna', repo), T1).changes).toEqual([]);
  });

  it('still report real changes, and refresh the ignored copies and project_metadata when writing them', () => {
    const repo = interopRepo();
    const all = defined(repo.sources.find((s) => s.name === 'all_types_source')) as FileSource;
    all.path = 'data/all_types_v2.parquet';
    defined(repo.featureServices[0]?.projections[1]).features = ['total_rides', 'label'];
    const { registry, changes } = reconcileRegistry(feastApplied, 'interop_feast', buildRegistryObjects('interop_feast', repo), T1);
    expect(changes.map((c) => `${c.action} ${c.objectType} ${c.name} ${c.changes.map((p) => p.path).join(',')}`)).toEqual([
      'update data_source all_types_source fileOptions.uri',
      'update feature_view all_types batchSource.fileOptions.uri',
      'update feature_service interop_service features',
    ]);
    // Written along: the projection's copy of the moved source, and project_metadata for older readers.
    const projection = defined(registry.featureServices[0]?.spec?.features[0]);
    expect(defined(projection.batchSource).options).toMatchObject({ case: 'fileOptions', value: { uri: 'data/all_types_v2.parquet' } });
    expect(projection.timestampField).toBe('created');
    expect(registry.projectMetadata.map((m) => m.project)).toEqual(['interop_feast']);
    // Unrelated views keep Feast's bytes.
    const untouched = (r: Registry) =>
      toBinary(RegistrySchema, { ...r, featureViews: r.featureViews.filter((v) => defined(v.spec).name === 'store_stats') } as Registry);
    expect(fromBinary(RegistrySchema, untouched(registry)).featureViews).toEqual(fromBinary(RegistrySchema, untouched(feastApplied)).featureViews);
  });
});
