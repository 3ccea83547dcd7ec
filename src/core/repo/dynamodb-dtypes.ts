/**
 * Which dtypes a DynamoDB attribute can feed (architecture.md §4.11): the scalars of one protobuf
 * element and their lists and sets, and Map / Array(Map) from an M / an L of M (each value typed as
 * Feast infers it, offline/dynamodb/attribute-columns.ts). Struct, ScalarMap, ZonedTimestamp and nested
 * collections are not read from attributes: a Struct declares its fields' types, which a DynamoDB M
 * does not keep to item by item, and no attribute kind says which inner collection type an L of L is.
 * Pure, so the definitions check and the reader (offline/dynamodb/attribute-columns.ts) share it.
 */
import { FEAST_TYPES } from '../layout/feast-types.js';
import { formatDtype, type Dtype } from './model.js';

/** Why a DynamoDB attribute cannot feed `dtype`, or undefined when it can. */
export function dynamoDBDtypeProblem(dtype: Dtype): string | undefined {
  if (dtype.kind === 'nested') {
    return `${formatDtype(dtype)} (nested collections) is not read from DynamoDB attributes; declare an Array(Map) or a Map, or each inner list as its own feature`;
  }
  const shape = FEAST_TYPES[dtype.scalar].shape;
  if (shape === 'map' && dtype.scalar === 'Map' && dtype.kind !== 'set') return undefined;
  if (shape === 'map') {
    return `${formatDtype(dtype)} is not read from DynamoDB attributes (a DynamoDB M holds any keys and types per item, which a Struct's declared fields do not); declare it as Map, or its fields as their own features`;
  }
  if (shape !== 'element') {
    return `${formatDtype(dtype)} is not read from DynamoDB attributes; declare the fields you need as their own features`;
  }
  return undefined;
}
