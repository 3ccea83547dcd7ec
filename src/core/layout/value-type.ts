/**
 * Feast dtype <-> feast.types.ValueType.Enum, shared by the Value codec and the registry
 * (FeatureSpecV2.value_type, EntitySpecV2.value_type).
 */
import { ValueType_Enum } from '../../gen/feast/types/Value_pb.js';
import type { Dtype, ScalarDtype } from '../repo/model.js';

const SCALAR_TO_VALUE_TYPE: Record<ScalarDtype, ValueType_Enum> = {
  Bytes: ValueType_Enum.BYTES,
  String: ValueType_Enum.STRING,
  Int32: ValueType_Enum.INT32,
  Int64: ValueType_Enum.INT64,
  Float64: ValueType_Enum.DOUBLE,
  Float32: ValueType_Enum.FLOAT,
  Bool: ValueType_Enum.BOOL,
  UnixTimestamp: ValueType_Enum.UNIX_TIMESTAMP,
  Json: ValueType_Enum.JSON,
};

const LIST_TO_VALUE_TYPE: Record<ScalarDtype, ValueType_Enum> = {
  Bytes: ValueType_Enum.BYTES_LIST,
  String: ValueType_Enum.STRING_LIST,
  Int32: ValueType_Enum.INT32_LIST,
  Int64: ValueType_Enum.INT64_LIST,
  Float64: ValueType_Enum.DOUBLE_LIST,
  Float32: ValueType_Enum.FLOAT_LIST,
  Bool: ValueType_Enum.BOOL_LIST,
  UnixTimestamp: ValueType_Enum.UNIX_TIMESTAMP_LIST,
  Json: ValueType_Enum.JSON_LIST,
};

const VALUE_TYPE_TO_DTYPE = new Map<ValueType_Enum, Dtype>();
for (const [scalar, vt] of Object.entries(SCALAR_TO_VALUE_TYPE)) {
  VALUE_TYPE_TO_DTYPE.set(vt, { kind: 'scalar', scalar: scalar as ScalarDtype });
}
for (const [scalar, vt] of Object.entries(LIST_TO_VALUE_TYPE)) {
  VALUE_TYPE_TO_DTYPE.set(vt, { kind: 'list', scalar: scalar as ScalarDtype });
}

/** The ValueType Feast records for a dtype (Int32 -> INT32, Array(Float32) -> FLOAT_LIST, ...). */
export function valueTypeOf(dtype: Dtype): ValueType_Enum {
  return (dtype.kind === 'list' ? LIST_TO_VALUE_TYPE : SCALAR_TO_VALUE_TYPE)[dtype.scalar];
}

/** The dtype for a ValueType read from a registry; `undefined` for INVALID, NULL and types dynafeast lacks. */
export function dtypeOfValueType(valueType: ValueType_Enum): Dtype | undefined {
  const d = VALUE_TYPE_TO_DTYPE.get(valueType);
  return d === undefined ? undefined : { ...d };
}
