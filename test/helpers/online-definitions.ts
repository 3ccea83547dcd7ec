/** Feature definitions shared by the online reader's unit and integration suites. */
import { DRIVER_STATS_SCHEMA, featureViewsYaml } from './definitions-yaml.js';

export const DEFINITIONS = `
entities:
  - {name: driver, join_keys: [driver_id], value_type: Int64}
  - {name: user, join_keys: [user_id], value_type: String}
  - {name: customer, join_keys: [customer_id], value_type: String}
sources:
  - {name: src, type: file, path: data/none.parquet, timestamp_field: event_timestamp}
${featureViewsYaml([
  { name: 'driver_hourly_stats', entities: ['driver'], ttl: '1d', source: 'src', schema: DRIVER_STATS_SCHEMA },
  {
    name: 'all_types',
    entities: ['driver'],
    ttl: 0,
    source: 'src',
    schema: [
      ['i32', 'Int32'],
      ['i64', 'Int64'],
      ['f32', 'Float32'],
      ['f64', 'Float64'],
      ['str', 'String'],
      ['bytes', 'Bytes'],
      ['flag', 'Bool'],
      ['ts', 'UnixTimestamp'],
      ['doc', 'Json'],
      ['i32s', 'Array(Int32)'],
      ['i64s', 'Array(Int64)'],
      ['f32s', 'Array(Float32)'],
      ['f64s', 'Array(Float64)'],
      ['strs', 'Array(String)'],
      ['bytess', 'Array(Bytes)'],
      ['flags', 'Array(Bool)'],
      ['tss', 'Array(UnixTimestamp)'],
      ['docs', 'Array(Json)'],
    ],
  },
  {
    // Feast 0.67's value types beyond a scalar or a list of one.
    name: 'new_types',
    entities: ['driver'],
    ttl: 0,
    source: 'src',
    schema: [
      ['uuid', 'Uuid'],
      ['tuuid', 'TimeUuid'],
      ['dec', 'Decimal'],
      ['pdf', 'PdfBytes'],
      ['img', 'ImageBytes'],
      ['attrs', 'Map'],
      ['person', "'Struct({a: Int64, b: String})'"],
      ['smap', 'ScalarMap'],
      ['zts', 'ZonedTimestamp'],
      ['uuids', 'Array(Uuid)'],
      ['decs', 'Set(Decimal)'],
      ['i64set', 'Set(Int64)'],
      ['maps', 'Array(Map)'],
      ['grid', 'Array(Array(Int64))'],
      ['tags', 'Set(Array(String))'],
    ],
  },
  { name: 'user_profile', entities: ['user'], ttl: 0, source: 'src', schema: [['score', 'Float64']] },
  { name: 'driver_customer', entities: ['driver', 'customer'], ttl: 0, source: 'src', schema: [['spend', 'Float64']] },
  { name: 'global_stats', entities: [], ttl: 0, source: 'src', schema: [['total_rides', 'Int64']] },
])}feature_services:
  - name: driver_activity
    features:
      - driver_hourly_stats: [conv_rate, acc_rate]
  - name: everything
    features:
      - driver_hourly_stats: [conv_rate]
      - user_profile: [score]
`;
