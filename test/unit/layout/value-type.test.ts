import { dtypeOfValueType, valueTypeOf } from '../../../src/core/layout/value-type.js';
import { ValueType_Enum } from '../../../src/gen/feast/types/Value_pb.js';
import { SCALAR_DTYPES, type Dtype } from '../../../src/core/repo/model.js';

describe('dtype <-> ValueType', () => {
  it.each([
    ['Int32', ValueType_Enum.INT32, ValueType_Enum.INT32_LIST],
    ['Int64', ValueType_Enum.INT64, ValueType_Enum.INT64_LIST],
    ['Float32', ValueType_Enum.FLOAT, ValueType_Enum.FLOAT_LIST],
    ['Float64', ValueType_Enum.DOUBLE, ValueType_Enum.DOUBLE_LIST],
    ['String', ValueType_Enum.STRING, ValueType_Enum.STRING_LIST],
    ['Bytes', ValueType_Enum.BYTES, ValueType_Enum.BYTES_LIST],
    ['Bool', ValueType_Enum.BOOL, ValueType_Enum.BOOL_LIST],
    ['UnixTimestamp', ValueType_Enum.UNIX_TIMESTAMP, ValueType_Enum.UNIX_TIMESTAMP_LIST],
    ['Json', ValueType_Enum.JSON, ValueType_Enum.JSON_LIST],
  ] as const)('%s → %i, Array → %i', (scalar, vt, listVt) => {
    expect(valueTypeOf({ kind: 'scalar', scalar })).toBe(vt);
    expect(valueTypeOf({ kind: 'list', scalar })).toBe(listVt);
    expect(dtypeOfValueType(vt)).toEqual({ kind: 'scalar', scalar });
    expect(dtypeOfValueType(listVt)).toEqual({ kind: 'list', scalar });
  });

  it('round-trips every dtype and has no dtype for INVALID or NULL', () => {
    for (const scalar of SCALAR_DTYPES) {
      for (const kind of ['scalar', 'list'] as const) {
        const d: Dtype = { kind, scalar };
        expect(dtypeOfValueType(valueTypeOf(d))).toEqual(d);
      }
    }
    expect(dtypeOfValueType(ValueType_Enum.INVALID)).toBeUndefined();
    expect(dtypeOfValueType(ValueType_Enum.NULL)).toBeUndefined();
    expect(ValueType_Enum.JSON).toBe(32);
  });
});
