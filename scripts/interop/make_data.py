"""Writes the parquet sources of the interop repos (test/interop/fixtures) into DATA_DIR.

The same files feed `dynafeast materialize` and `feast materialize`, so both writers start from
identical rows. They cover every dtype dynafeast supports, nulls, NaN, infinities, empty lists,
lists with null elements, extreme integers, non-ASCII text, microsecond event times, an older row
that must lose to a newer one, an event-time tie broken by the created column, a composite key and
an entityless view. Every event time lies inside 2024-01-01 .. 2024-01-02, away from the window ends.

Not in the data, because `feast materialize` itself mishandles them (see docs/interop.md): a null
element inside an integer list (it raises), an Int64 column with nulls holding values beyond 2^53
(numpy turns the column into float64: precision lost, 2^63-1 raises), and an integer column with
nulls for a UnixTimestamp feature (every value becomes NaT). Full 64-bit values are covered by the
Int64 list, whose elements stay int64.

Usage: python make_data.py DATA_DIR
"""

import datetime as dt
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.timezone.utc
TS = pa.timestamp("us", tz="UTC")


def t(day, hour, minute=0, second=0, micro=0):
    return dt.datetime(2024, 1, day, hour, minute, second, micro, tzinfo=UTC)


I32_MIN, I32_MAX = -(2**31), 2**31 - 1
I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# One dict per row; a missing key means null.
ALL_TYPES = [
    dict(driver_id=1, event_timestamp=t(1, 10, 0, 0, 123456), created=t(1, 10, 5),
         f_int32=7, f_int64=1001, f_float32=0.5, f_float64=0.1, f_string="abc", f_bytes=b"\x01\x02",
         f_bool=True, f_ts=t(1, 8), f_json='{"a": 1, "nested": {"k": [true, null]}}',
         l_int32=[1, 2, 3], l_int64=[10, 20], l_float32=[1.0, 2.5], l_float64=[0.25, -0.5],
         l_string=["a", "b"], l_bytes=[b"\x00", b"\xff"], l_bool=[True, False], l_ts=[t(1, 1), t(1, 2)],
         l_json=['{"x": 1}', "[]"]),
    # driver 2: the newer row wins
    dict(driver_id=2, event_timestamp=t(1, 9), created=t(1, 9),
         f_int32=1, f_int64=1, f_float32=1.0, f_float64=1.0, f_string="old", f_bool=False),
    dict(driver_id=2, event_timestamp=t(1, 12, 30), created=t(1, 12, 30),
         f_int32=2, f_int64=2, f_float32=2.0, f_float64=2.0, f_string="new", f_bytes=b"new",
         f_bool=True, f_ts=t(1, 12), f_json="[1, 2, 3]",
         l_int32=[], l_int64=[], l_float32=[], l_float64=[], l_string=[], l_bytes=[], l_bool=[], l_ts=[],
         l_json=[]),
    # driver 3: every feature null
    dict(driver_id=3, event_timestamp=t(1, 11), created=t(1, 11)),
    # driver 4: zero values, NaN, lists with nulls and NaN
    dict(driver_id=4, event_timestamp=t(1, 13, 0, 0, 1), created=t(1, 13),
         f_int32=0, f_int64=0, f_float32=float("nan"), f_float64=float("nan"), f_string="", f_bytes=b"",
         f_bool=False, f_ts=dt.datetime(1970, 1, 1, tzinfo=UTC), f_json="null",
         l_int32=[0], l_int64=[0, -1], l_float32=[1.5, None, float("nan")], l_float64=[None, 2.5],
         l_string=["x", None, ""], l_bytes=[b"y", None], l_bool=[None, True], l_ts=[t(1, 3), None],
         l_json=["null", '"s"']),
    # driver 5: extremes and non-ASCII text
    dict(driver_id=5, event_timestamp=t(1, 14, 15, 16, 100000), created=t(1, 14),
         f_int32=I32_MIN, f_int64=2**53 - 1, f_float32=float("inf"), f_float64=-1e300,
         f_string="zoë 😀 中文", f_bytes=bytes(range(256)), f_bool=True,
         f_ts=dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), f_json='{"text": "é😀", "n": 1.5e-7}',
         l_int32=[I32_MIN, I32_MAX], l_int64=[I64_MIN, I64_MAX], l_float32=[float("-inf"), 3.4e38],
         l_float64=[5e-324, 1e308], l_string=["é", "😀"], l_bytes=[b""], l_bool=[False],
         l_ts=[dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC)], l_json=['{"deep": [[], {}]}']),
    # driver 6: same event time twice, the later created wins
    dict(driver_id=6, event_timestamp=t(1, 15), created=t(1, 15, 1), f_int32=1, f_string="loser"),
    dict(driver_id=6, event_timestamp=t(1, 15), created=t(1, 15, 2), f_int32=2, f_string="winner"),
]

ALL_TYPES_SCHEMA = pa.schema([
    ("driver_id", pa.int64()), ("event_timestamp", TS), ("created", TS),
    ("f_int32", pa.int32()), ("f_int64", pa.int64()), ("f_float32", pa.float32()), ("f_float64", pa.float64()),
    ("f_string", pa.string()), ("f_bytes", pa.binary()), ("f_bool", pa.bool_()), ("f_ts", TS),
    ("f_json", pa.string()),
    ("l_int32", pa.list_(pa.int32())), ("l_int64", pa.list_(pa.int64())), ("l_float32", pa.list_(pa.float32())),
    ("l_float64", pa.list_(pa.float64())), ("l_string", pa.list_(pa.string())), ("l_bytes", pa.list_(pa.binary())),
    ("l_bool", pa.list_(pa.bool_())), ("l_ts", pa.list_(TS)), ("l_json", pa.list_(pa.string())),
])

DRIVER_CUSTOMER = [
    dict(driver_id=1, customer_id="C1", event_timestamp=t(1, 10), created=t(1, 10), trips=3, spend=12.5, last_seen=t(1, 9)),
    dict(driver_id=1, customer_id="C2", event_timestamp=t(1, 11, 0, 0, 999999), created=t(1, 11), trips=1, spend=3.0),
    dict(driver_id=2, customer_id="C1", event_timestamp=t(1, 12), created=t(1, 12), trips=7, spend=0.0, last_seen=t(1, 11)),
    dict(driver_id=2, customer_id="C1", event_timestamp=t(1, 8), created=t(1, 8), trips=99, spend=99.0),
    dict(driver_id=3, customer_id="ü😀", event_timestamp=t(1, 13), created=t(1, 13), trips=0),
]
DRIVER_CUSTOMER_SCHEMA = pa.schema([
    ("driver_id", pa.int64()), ("customer_id", pa.string()), ("event_timestamp", TS), ("created", TS),
    ("trips", pa.int64()), ("spend", pa.float64()), ("last_seen", TS),
])

STORE = [
    dict(store_id=10, event_timestamp=t(1, 10), created=t(1, 10), visitors=120, open=True),
    dict(store_id=-3, event_timestamp=t(1, 11), created=t(1, 11), visitors=0, open=False),
    dict(store_id=I32_MAX, event_timestamp=t(1, 12), created=t(1, 12)),
]
STORE_SCHEMA = pa.schema([
    ("store_id", pa.int32()), ("event_timestamp", TS), ("created", TS), ("visitors", pa.int32()), ("open", pa.bool_()),
])

# Entityless: one row per hour; the latest is what both sides must serve.
GLOBAL = [
    dict(event_timestamp=t(1, 6), created=t(1, 6), total_rides=100, avg_rating=4.1, label="morning"),
    dict(event_timestamp=t(1, 18, 30, 0, 500), created=t(1, 18), total_rides=250, avg_rating=4.7, label="evening"),
    dict(event_timestamp=t(1, 12), created=t(1, 12), total_rides=180, avg_rating=4.4, label="noon"),
]
GLOBAL_SCHEMA = pa.schema([
    ("event_timestamp", TS), ("created", TS), ("total_rides", pa.int64()), ("avg_rating", pa.float64()),
    ("label", pa.string()),
])


def write(rows, schema, path):
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(ALL_TYPES, ALL_TYPES_SCHEMA, os.path.join(out, "all_types.parquet"))
    write(DRIVER_CUSTOMER, DRIVER_CUSTOMER_SCHEMA, os.path.join(out, "driver_customer.parquet"))
    write(STORE, STORE_SCHEMA, os.path.join(out, "store.parquet"))
    write(GLOBAL, GLOBAL_SCHEMA, os.path.join(out, "global.parquet"))


if __name__ == "__main__":
    main()
