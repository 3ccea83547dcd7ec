/**
 * Which dtypes a DynamoDB attribute can feed (architecture.md §4.11): the scalars of one protobuf
 * element and their lists and sets. Map, Struct, ScalarMap, ZonedTimestamp and nested collections are
 * not read from attributes: a DynamoDB M holds any keys per item, which no declared column type states.
 * Pure, so the definitions check and the reader (offline/dynamodb/attribute-columns.ts) share it.
 */
import { FEAST_TYPES } from '../layout/feast-types.js';
import { formatDtype, type Dtype } from './model.js';

/** Why a DynamoDB attribute cannot feed `dtype`, or undefined when it can. */
export function dynamoDBDtypeProblem(dtype: Dtype): string | undefined {
  if (dtype.kind === 'nested') return `${formatDtype(dtype)} (nested collections) is not read from DynamoDB attributes`;
  if (FEAST_TYPES[dtype.scalar].shape !== 'element') {
    return `${formatDtype(dtype)} is not read from DynamoDB attributes; declare the fields you need as their own features`;
  }
  return undefined;
}
