"""Writes the parquet sources of test/interop/fixtures/every-type-repo into DATA_DIR: one file per
family of Feast 0.67 value types beyond the scalars (sets; Uuid/TimeUuid/Decimal/PdfBytes/ImageBytes;
Map/Struct/Json as pandas writes a column of dicts, i.e. STRUCT columns; nested lists), plus the batch
source of a push source. Column types are the ones Feast's own materialize reads for each dtype.

Not here, because `feast materialize` itself refuses them from files (docs/interop.md): ScalarMap
(no arrow type), ZonedTimestamp (a timestamp column arrives as numpy datetime64, which its
type_map refuses) and a parquet MAP column (its type_map wants a dict).

Usage: python make_every_type_data.py DATA_DIR
"""

import datetime as dt
import decimal
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.timezone.utc
TS = pa.timestamp("us", tz="UTC")
UUIDS = ["1b4e28ba-2fa1-11d2-883f-0016d3cca427", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "a8098c1a-f86e-11da-bd1a-00112444be1e"]


def t(day, hour):
    return dt.datetime(2024, 1, day, hour, tzinfo=UTC)


def write(data_dir, name, columns, rows):
    """rows: one dict per row (driver_id, event_timestamp, created and features); missing = null."""
    schema = pa.schema([("driver_id", pa.int64()), ("event_timestamp", TS), ("created", TS)] + columns)
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, os.path.join(data_dir, name))


def base(driver, day, hour):
    return dict(driver_id=driver, event_timestamp=t(day, hour), created=t(day, hour))


def main():
    data_dir = sys.argv[1]
    os.makedirs(data_dir, exist_ok=True)
    write(data_dir, "sets.parquet", [
        ("s_int32", pa.list_(pa.int32())), ("s_int64", pa.list_(pa.int64())), ("s_float32", pa.list_(pa.float32())),
        ("s_float64", pa.list_(pa.float64())), ("s_string", pa.list_(pa.string())), ("s_bytes", pa.list_(pa.binary())),
        ("s_bool", pa.list_(pa.bool_())), ("s_uuid", pa.list_(pa.string())), ("s_time_uuid", pa.list_(pa.string())),
        ("s_decimal", pa.list_(pa.string())),
    ], [
        dict(base(1001, 1, 10), s_int32=[3, 1, 3], s_int64=[2**63 - 1, -5, 2**63 - 1], s_float32=[0.5, -2.25], s_float64=[0.1, 1e300, 0.1],
             s_string=["b", "a", "b", "zoë 😀"], s_bytes=[b"\x01", b""], s_bool=[True, False, True], s_uuid=UUIDS + UUIDS[:1],
             s_time_uuid=[UUIDS[1]], s_decimal=["12.50", "-0.001", "12.50"]),
        dict(base(1002, 1, 11), s_int32=[], s_int64=[], s_float32=[], s_float64=[], s_string=[], s_bytes=[], s_bool=[], s_uuid=[],
             s_time_uuid=[], s_decimal=[]),
        dict(base(1003, 1, 12)),
        # older row for 1001: loses to the one above
        dict(base(1001, 1, 9), s_int32=[9]),
    ])
    write(data_dir, "texts.parquet", [
        ("uuid", pa.string()), ("time_uuid", pa.string()), ("dec", pa.string()), ("dec_col", pa.decimal128(20, 4)),
        ("l_uuid", pa.list_(pa.string())), ("l_decimal", pa.list_(pa.string())), ("pdf", pa.binary()), ("image", pa.binary()),
    ], [
        dict(base(1001, 1, 10), uuid=UUIDS[0], time_uuid=UUIDS[1].upper(), dec="123456789012345678901234567890.123456789",
             dec_col=decimal.Decimal("12.5"), l_uuid=UUIDS, l_decimal=["1.5", "-0.01", "1E+3"], pdf=b"%PDF-1.7\n", image=b"\x89PNG\r\n"),
        dict(base(1002, 1, 11), uuid=UUIDS[2], dec="-0.000001", dec_col=decimal.Decimal("-0.0001"), l_uuid=[], l_decimal=[], pdf=b"", image=b""),
        dict(base(1003, 1, 12)),
    ])
    profile = pa.struct([("name", pa.string()), ("age", pa.int32())])
    write(data_dir, "structs.parquet", [
        ("meta", pa.struct([("vehicle_type", pa.string()), ("rating", pa.string())])), ("profile", profile),
        ("profiles", pa.list_(profile)), ("config", pa.string()),
    ], [
        dict(base(1001, 1, 10), meta={"vehicle_type": "truck", "rating": "5.0"}, profile={"name": "ann", "age": 30},
             profiles=[{"name": "a", "age": 1}, {"name": "b", "age": None}], config='{"max_distance_km": 10, "zones": ["north"]}'),
        dict(base(1002, 1, 11), meta={"vehicle_type": "", "rating": None}, profile={"name": None, "age": -1}, profiles=[], config="null"),
        dict(base(1003, 1, 12)),
    ])
    write(data_dir, "nested.parquet", [
        ("nn_int32", pa.list_(pa.list_(pa.int32()))), ("ns_string", pa.list_(pa.list_(pa.string()))),
    ], [
        dict(base(1001, 1, 10), nn_int32=[[1, 2], [], None, [3]], ns_string=[["a", "é"], ["", "b"]]),
        dict(base(1002, 1, 11), nn_int32=[], ns_string=[]),
        dict(base(1003, 1, 12)),
    ])
    write(data_dir, "pushed.parquet", [("conv_rate", pa.float32()), ("tags", pa.list_(pa.int64()))], [
        dict(base(1001, 1, 10), conv_rate=0.5, tags=[1, 2, 2]),
        dict(base(1002, 1, 11), conv_rate=0.25, tags=[]),
    ])


if __name__ == "__main__":
    main()
