/**
 * Loads the Feast facts committed in test/fixtures/feast/feast-vectors.json. That file is the output of
 * scripts/interop/feast_vectors.py run against the pinned Feast (its version is recorded in the file);
 * the interop tier checks that it still equals what that Feast produces. The "core" section is the
 * small hand-picked set the unit tests index by position.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JoinKeyDtype } from '../../src/core/repo/model.js';

export interface FeastVectors {
  entity_keys: {
    join_keys: { name: string; dtype: JoinKeyDtype; value: number | string }[];
    serialized_hex: string;
    entity_id: string;
  }[];
  values: { dtype: string; value: unknown; serialized_hex: string }[];
  event_ts: { iso: string; event_ts: string }[];
  item: {
    note: string;
    dynamodb_json: {
      entity_id: { S: string };
      event_ts: { S: string };
      values: { M: Record<string, { B: string }> };
    };
  };
}

/** The parts of the fixture outside "core": Feast's registry schema, from its compiled protos. */
export interface FeastFixture {
  feast_version: string;
  core: FeastVectors;
  /** message name → field name → field number */
  registry_fields: Record<string, Record<string, number>>;
  /** feast.types.ValueType.Enum as [name, number] in declaration order */
  value_type_enum: [string, number][];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const VECTORS_PATH = resolve(repoRoot, 'test/fixtures/feast/feast-vectors.json');

export function loadFeastFixture(): FeastFixture {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as FeastFixture;
}

export function loadVectors(): FeastVectors {
  return loadFeastFixture().core;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
