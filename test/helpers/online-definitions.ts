/** Feature definitions shared by the online reader's unit and integration suites. */
export const DEFINITIONS = `
entities:
  - {name: driver, join_keys: [driver_id], value_type: Int64}
  - {name: user, join_keys: [user_id], value_type: String}
  - {name: customer, join_keys: [customer_id], value_type: String}
sources:
  - {name: src, type: file, path: data/none.parquet, timestamp_field: event_timestamp}
feature_views:
  - name: driver_hourly_stats
    entities: [driver]
    ttl: 1d
    source: src
    schema:
      - {name: conv_rate, dtype: Float32}
      - {name: acc_rate, dtype: Float32}
      - {name: avg_daily_trips, dtype: Int64}
  - name: all_types
    entities: [driver]
    ttl: 0
    source: src
    schema:
      - {name: i32, dtype: Int32}
      - {name: i64, dtype: Int64}
      - {name: f32, dtype: Float32}
      - {name: f64, dtype: Float64}
      - {name: str, dtype: String}
      - {name: bytes, dtype: Bytes}
      - {name: flag, dtype: Bool}
      - {name: ts, dtype: UnixTimestamp}
      - {name: doc, dtype: Json}
      - {name: i32s, dtype: Array(Int32)}
      - {name: i64s, dtype: Array(Int64)}
      - {name: f32s, dtype: Array(Float32)}
      - {name: f64s, dtype: Array(Float64)}
      - {name: strs, dtype: Array(String)}
      - {name: bytess, dtype: Array(Bytes)}
      - {name: flags, dtype: Array(Bool)}
      - {name: tss, dtype: Array(UnixTimestamp)}
      - {name: docs, dtype: Array(Json)}
  - name: user_profile
    entities: [user]
    ttl: 0
    source: src
    schema:
      - {name: score, dtype: Float64}
  - name: driver_customer
    entities: [driver, customer]
    ttl: 0
    source: src
    schema:
      - {name: spend, dtype: Float64}
  - name: global_stats
    entities: []
    ttl: 0
    source: src
    schema:
      - {name: total_rides, dtype: Int64}
feature_services:
  - name: driver_activity
    features:
      - driver_hourly_stats: [conv_rate, acc_rate]
  - name: everything
    features:
      - driver_hourly_stats: [conv_rate]
      - user_profile: [score]
`;
