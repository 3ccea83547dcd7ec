/**
 * Loads shared/feast-vectors.json: the repo is cloned with shared/ beside it, so the file is
 * <repo>/../shared/feast-vectors.json, found from this file's location rather than the cwd.
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

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = resolve(repoRoot, '../shared');
export const VECTORS_PATH = resolve(SHARED_DIR, 'feast-vectors.json');

export function loadVectors(): FeastVectors {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as FeastVectors;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
