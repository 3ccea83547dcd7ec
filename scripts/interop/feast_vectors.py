"""Asks the installed Feast SDK for the DynamoDB layout of a generated set of keys, values and
timestamps, and for the registry's protobuf field numbers, and writes them as JSON.

Its output is committed as test/fixtures/feast/feast-vectors.json, the source of every Feast fact the
unit tests check dynafeast against (the layout codec, the registry schema). The interop tier runs this
script against the pinned Feast and fails when the committed file differs from what that Feast
produces. Regenerate after a Feast upgrade:

    .venv-interop/bin/python scripts/interop/feast_vectors.py test/fixtures/feast/feast-vectors.json

Every byte string here comes from Feast's own functions, on the paths Feast really uses:
- entity keys: feast.infra.key_encoding_utils.serialize_entity_key (version 3) and
  feast.infra.online_stores.helpers.compute_entity_id (mmh3);
- values, "arrow" path: feast.utils._columns_to_proto_values on a pyarrow RecordBatch, which is what
  `feast materialize` runs on the offline store's result;
- values, "python" path: feast.type_map.python_values_to_proto_values on plain Python values, which is
  what write_to_online_store / push and get_online_features' entity rows run;
- items and event_ts: feast.infra.online_stores.dynamodb._to_client_write_item after the timestamp
  conversion of feast.utils._convert_arrow_fv_to_proto;
- event_ts reading: datetime.fromisoformat, as DynamoDBOnlineStore._process_batch_get_response does.

Inputs are written in a JSON form JavaScript can rebuild exactly: 64-bit integers as decimal strings,
floats as numbers or "NaN"/"Infinity"/"-Infinity", bytes as {"hex": ...}, non-string Json as
{"object": ...}.

The "core" section is a small hand-picked set in a simpler shape (plain JSON values) that unit tests
index by position; "registry_fields" and "value_type_enum" come from Feast's compiled protobuf
descriptors.

Usage: python feast_vectors.py OUT.json
"""

import base64
import datetime as dt
import decimal
import json
import math
import random
import re
import sys
import types
import warnings
from importlib.metadata import version
from zoneinfo import ZoneInfo

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from feast.infra.key_encoding_utils import serialize_entity_key  # noqa: E402
from feast.infra.online_stores.dynamodb import _to_client_write_item  # noqa: E402
from feast.infra.online_stores.helpers import compute_entity_id  # noqa: E402
from feast.protos.feast.types.EntityKey_pb2 import EntityKey  # noqa: E402
from feast.protos.feast.types.Value_pb2 import Value  # noqa: E402
from feast.type_map import python_values_to_proto_values  # noqa: E402
from feast.utils import _coerce_datetime, _columns_to_proto_values, make_tzaware  # noqa: E402
from feast.value_type import ValueType as VT  # noqa: E402

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
rng = random.Random(20240607)

SCALAR_VT = {
    "Int32": VT.INT32, "Int64": VT.INT64, "Float32": VT.FLOAT, "Float64": VT.DOUBLE,
    "String": VT.STRING, "Bytes": VT.BYTES, "Bool": VT.BOOL, "UnixTimestamp": VT.UNIX_TIMESTAMP,
    "Json": VT.JSON,
}
LIST_VT = {
    "Int32": VT.INT32_LIST, "Int64": VT.INT64_LIST, "Float32": VT.FLOAT_LIST, "Float64": VT.DOUBLE_LIST,
    "String": VT.STRING_LIST, "Bytes": VT.BYTES_LIST, "Bool": VT.BOOL_LIST,
    "UnixTimestamp": VT.UNIX_TIMESTAMP_LIST, "Json": VT.JSON_LIST,
}
ARROW = {
    "Int32": pa.int32(), "Int64": pa.int64(), "Float32": pa.float32(), "Float64": pa.float64(),
    "String": pa.string(), "Bytes": pa.binary(), "Bool": pa.bool_(),
    "UnixTimestamp": pa.timestamp("us", tz="UTC"), "Json": pa.string(),
}


def enc_scalar(dtype, v):
    """The JSON form of one input value (see the module docstring)."""
    if v is None:
        return None
    if dtype in ("Int64",):
        return str(v)
    if dtype == "UnixTimestamp":
        return str(v if isinstance(v, int) else int((v - EPOCH) // dt.timedelta(seconds=1)))
    if dtype in ("Float32", "Float64"):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if dtype == "Bytes":
        return {"hex": v.hex()}
    if dtype == "Json" and not isinstance(v, str):
        return {"object": v}
    return v


def enc_input(dtype, kind, v):
    if kind == "list":
        return None if v is None else [enc_scalar(dtype, e) for e in v]
    return enc_scalar(dtype, v)


def hexes(protos):
    return [p.SerializeToString().hex() for p in protos]


# ---------------------------------------------------------------- entity keys

def key_value(dtype, v):
    if dtype == "Int64":
        return Value(int64_val=v)
    if dtype == "Int32":
        return Value(int32_val=v)
    if dtype == "String":
        return Value(string_val=v)
    if dtype == "Bytes":
        return Value(bytes_val=v)
    if dtype == "UnixTimestamp":
        return Value(unix_timestamp_val=v)
    raise ValueError(dtype)


def random_key_value(dtype):
    if dtype == "Int64":
        return rng.choice([rng.randint(-(2**63), 2**63 - 1), rng.randint(-1000, 100000)])
    if dtype == "Int32":
        return rng.randint(-(2**31), 2**31 - 1)
    if dtype == "String":
        alphabet = "abcXYZ019_-é中😀 "
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    if dtype == "Bytes":
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 10)))
    if dtype == "UnixTimestamp":
        return rng.randint(-62135596800, 253402300799)
    raise ValueError(dtype)


def entity_key_vectors():
    fixed = [
        [("driver_id", "Int64", 1001)],
        [("driver_id", "Int64", 0)],
        [("driver_id", "Int64", -1)],
        [("driver_id", "Int64", 2**63 - 1)],
        [("driver_id", "Int64", -(2**63))],
        [("store_id", "Int32", -7)],
        [("store_id", "Int32", 2**31 - 1)],
        [("user_id", "String", "alice")],
        [("user_id", "String", "")],
        [("user_id", "String", "zoë 😀")],
        [("blob", "Bytes", b"")],
        [("blob", "Bytes", b"\x00\xff\x10")],
        [("day", "UnixTimestamp", 1618210800)],
        [("day", "UnixTimestamp", -86400)],
        [("__dummy_id", "String", "")],
        [("driver_id", "Int64", 1001), ("customer_id", "String", "C42")],
        # Join keys sort by code point: "\uffff" < "😀" (U+1F600), the reverse of UTF-16 order.
        [("😀", "Int32", 1), ("\uffff", "Int32", 2), ("a", "String", "x"), ("B", "Int64", 3)],
        [("é", "String", "e"), ("z", "String", "z"), ("Z", "Int64", 5)],
    ]
    dtypes = ["Int64", "Int32", "String", "Bytes", "UnixTimestamp"]
    for _ in range(40):
        n = rng.randint(1, 3)
        names = rng.sample(["driver_id", "customer_id", "store", "k", "K2", "ñame", "user"], n)
        fixed.append([(name, d := rng.choice(dtypes), random_key_value(d)) for name in names])

    out = []
    for parts in fixed:
        ek = EntityKey(join_keys=[p[0] for p in parts], entity_values=[key_value(p[1], p[2]) for p in parts])
        out.append({
            "join_keys": [{"name": n, "dtype": d, "value": enc_scalar(d, v)} for n, d, v in parts],
            "serialized_hex": serialize_entity_key(ek, entity_key_serialization_version=3).hex(),
            "entity_id": compute_entity_id(ek, entity_key_serialization_version=3),
        })
    return out


# ---------------------------------------------------------------- values

def ts(*a):
    return dt.datetime(*a, tzinfo=UTC)


SCALARS = {
    "Int32": [0, 1, -1, 7, 2**31 - 1, -(2**31), None],
    "Int64": [0, 1001, -1, 2**53 + 1, 2**63 - 1, -(2**63), None],
    "Float32": [0.0, 0.5, -2.25, 0.1, 1e-40, 3.4028234663852886e38, float("inf"), float("-inf"), float("nan"), None],
    "Float64": [0.0, 0.5, 0.1, -1e300, 5e-324, float("inf"), float("-inf"), float("nan"), None],
    "String": ["", "abc", "zoë 😀 中文", "a\x00b", None],
    "Bytes": [b"", b"\x01\x02", bytes(range(256)), None],
    "Bool": [True, False, None],
    "UnixTimestamp": [ts(2021, 4, 12, 7, 0, 0), ts(1970, 1, 1), ts(1969, 12, 31, 23, 59, 59), ts(9999, 12, 31, 23, 59, 59), None],
    "Json": ['{"a": 1}', "[1,2,3]", '"text"', "null", "3.5", '{"nested":{"k":[true,null]}}', None],
}
SAMPLE = {
    "Int32": 1, "Int64": 1, "Float32": 1.0, "Float64": 1.0, "String": "s", "Bytes": b"s", "Bool": True,
    "UnixTimestamp": ts(2020, 1, 1), "Json": '{"s": 1}',
}
LISTS = {
    "Int32": [[1, 2, 3], [], [-1, 2**31 - 1], [4, None], None],
    "Int64": [[1, 2], [], [-(2**63), 2**63 - 1, 0], [5, None], None],
    "Float32": [[1.0, 2.0], [], [0.1, float("nan"), float("inf")], [1.5, None], None],
    "Float64": [[0.5, -0.5], [], [0.1, float("nan")], [2.5, None], None],
    "String": [["a", "b"], [], ["", "é"], ["x", None], None],
    "Bytes": [[b"\x00", b""], [], [b"ab", None], None],
    "Bool": [[True, False, True], [], [True, None], None],
    "UnixTimestamp": [[ts(2021, 1, 1), ts(1970, 1, 1)], [], [ts(2021, 1, 1), None], None],
    "Json": [['{"a": 1}', "[]"], [], ["null", '"s"'], None],
}


def arrow_column(dtype, kind, values):
    typ = ARROW[dtype] if kind == "scalar" else pa.list_(ARROW[dtype])
    return pa.array(values, type=typ)


def value_vectors():
    out = []
    for kind, table in (("scalar", SCALARS), ("list", LISTS)):
        for dtype, values in table.items():
            vt = (SCALAR_VT if kind == "scalar" else LIST_VT)[dtype]
            name = dtype if kind == "scalar" else f"Array({dtype})"
            # Each value goes in a column of its own after one ordinary value, like a row of a real
            # batch: Feast infers from the first non-empty value of the column, so a column holding
            # only b"" would come out as nulls, and one failing value must not hide the others.
            sample = SAMPLE[dtype] if kind == "scalar" else [SAMPLE[dtype]]
            for v in values:
                # arrow (materialize) path
                rec = {"dtype": name, "path": "arrow", "input": enc_input(dtype, kind, v)}
                try:
                    batch = pa.RecordBatch.from_arrays([arrow_column(dtype, kind, [sample, v])], names=["c"])
                    rec["serialized_hex"] = hexes(_columns_to_proto_values(batch, [("c", vt)])["c"])[1]
                except Exception as e:  # Feast refuses some inputs; record that as a fact too
                    rec["error"] = f"{type(e).__name__}: {e}"
                out.append(rec)
                # python (push / write_to_online_store) path
                rec = {"dtype": name, "path": "python", "input": enc_input(dtype, kind, v)}
                try:
                    rec["serialized_hex"] = hexes(python_values_to_proto_values([sample, v], vt))[1]
                except Exception as e:
                    rec["error"] = f"{type(e).__name__}: {e}"
                out.append(rec)
    # Non-string Json on the python path: json.dumps (", " and ": " separators, ASCII escapes).
    for obj in [{"a": 1, "b": [1, 2]}, [1, "é"], {"x": None}]:
        out.append({"dtype": "Json", "path": "python", "input": {"object": obj},
                    "serialized_hex": hexes(python_values_to_proto_values([obj], VT.JSON))[0]})
    # Random Int64/Float64/String values, arrow path
    for dtype, gen in (
        ("Int64", lambda: rng.randint(-(2**63), 2**63 - 1)),
        ("Float64", lambda: rng.uniform(-1e6, 1e6)),
        ("Float32", lambda: rng.uniform(-1e3, 1e3)),
        ("Int32", lambda: rng.randint(-(2**31), 2**31 - 1)),
        ("String", lambda: "".join(rng.choice("ab é😀") for _ in range(rng.randint(0, 8)))),
    ):
        values = [gen() for _ in range(25)]
        batch = pa.RecordBatch.from_arrays([arrow_column(dtype, "scalar", values)], names=["c"])
        for v, h in zip(values, hexes(_columns_to_proto_values(batch, [("c", SCALAR_VT[dtype])])["c"])):
            out.append({"dtype": dtype, "path": "arrow", "input": enc_scalar(dtype, v), "serialized_hex": h})
    return out


# ---------------------------------------------------------------- the other Feast 0.67 value types

UUID_A = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
UUID_B = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

SET_VT = {
    "Int32": VT.INT32_SET, "Int64": VT.INT64_SET, "Float32": VT.FLOAT_SET, "Float64": VT.DOUBLE_SET,
    "String": VT.STRING_SET, "Bytes": VT.BYTES_SET, "Bool": VT.BOOL_SET,
    "UnixTimestamp": VT.UNIX_TIMESTAMP_SET, "Uuid": VT.UUID_SET, "TimeUuid": VT.TIME_UUID_SET,
    "Decimal": VT.DECIMAL_SET,
}
# Elements exactly representable in every width (a Float32 set of 0.1 would compare rounded values).
SETS = {
    "Int32": [[3, 1, 3], [], [-(2**31), 2**31 - 1], None],
    "Int64": [[2**63 - 1, 5, 5, -(2**63)], [], None],
    "Float32": [[0.5, -2.25, 0.5], [], None],
    "Float64": [[0.1, 1e300, 0.1], [], None],
    "String": [["b", "a", "b", "zoë 😀"], [], None],
    "Bytes": [[b"\x01", b"", b"\x01"], [], None],
    "Bool": [[True, False, True], [], None],
    "UnixTimestamp": [[1_700_000_000, 0, 1_700_000_000], [], None],
    "Uuid": [[UUID_A, UUID_B, UUID_A], [], None],
    "TimeUuid": [[UUID_B], [], None],
    "Decimal": [["12.50", "-0.001", "12.50", "1E+3"], [], None],
}
EXTRA_ARROW = {"Uuid": pa.string(), "TimeUuid": pa.string(), "Decimal": pa.string()}


def enc_set_element(dtype, v):
    if dtype in ("Uuid", "TimeUuid", "Decimal"):
        return v
    return enc_scalar(dtype, v)


def first_seen_order(value, field, inputs):
    """Feast writes a set's elements in Python's set() order (for str and bytes: a different order in
    every process); put them in the order of their first occurrence in the input, which is the order
    dynafeast keeps, so the committed bytes are stable."""
    if value.WhichOneof("val") != field:
        return value
    repeated = getattr(value, field).val
    elements = list(repeated)

    def rank(e):
        for i, x in enumerate(inputs):
            if x == e or (isinstance(x, int) and not isinstance(x, bool) and x == e):
                return i
        return len(inputs)

    elements.sort(key=rank)
    del repeated[:]
    repeated.extend(elements)
    return value


def det_hex(p):
    """Feast serializes map entries in hash order (a different order in every process); protobuf's
    deterministic serialization sorts them by key, which is the order dynafeast writes."""
    return p.SerializeToString(deterministic=True).hex()


def typed_value_vectors():
    """Values of the types beyond the 9 scalars and their lists, each as Feast writes it (python path:
    python_values_to_proto_values; arrow path: _columns_to_proto_values, what materialize runs)."""
    out = []

    def record(dtype, path, inp, make):
        rec = {"dtype": dtype, "path": path, "input": inp}
        try:
            rec["serialized_hex"] = det_hex(make())
        except Exception as e:
            rec["error"] = f"{type(e).__name__}: {e}"
        out.append(rec)

    def arrow_one(typ, vt, v, sample):
        batch = pa.RecordBatch.from_arrays([pa.array([sample, v], type=typ)], names=["c"])
        return _columns_to_proto_values(batch, [("c", vt)])["c"][1]

    # Sets
    for dtype, values in SETS.items():
        vt = SET_VT[dtype]
        field = {"UnixTimestamp": "unix_timestamp_set_val"}.get(dtype)
        for v in values:
            inp = None if v is None else [enc_set_element(dtype, e) for e in v]
            name = f"Set({dtype})"
            pyv = v
            if dtype == "Decimal" and v is not None:
                pyv = [decimal.Decimal(e) for e in v]

            def fix(p, v=v, pyv=pyv):
                f = p.WhichOneof("val")
                keys = pyv if pyv is not None else []
                if dtype == "Decimal":
                    keys = [str(e) for e in keys]
                return first_seen_order(p, f, keys) if f else p

            record(name, "python", inp, lambda: fix(python_values_to_proto_values([pyv], vt)[0]))
            if dtype in ("UnixTimestamp",):
                continue  # the arrow path wants timestamps, the python path takes seconds; python covers it
            typ = pa.list_(EXTRA_ARROW[dtype] if dtype in EXTRA_ARROW else ARROW[dtype])
            arrow_v = None if v is None else list(v)
            sample = [arrow_v[0]] if arrow_v else [SETS[dtype][0][0]]
            record(name, "arrow", inp, lambda: fix(arrow_one(typ, vt, arrow_v, sample)))
    # Uuid, TimeUuid, Decimal scalars and lists; PdfBytes and ImageBytes
    for dtype, vt, lvt, typ, vals in (
        ("Uuid", VT.UUID, VT.UUID_LIST, pa.string(), [UUID_A, UUID_B.upper(), None]),
        ("TimeUuid", VT.TIME_UUID, VT.TIME_UUID_LIST, pa.string(), [UUID_B, None]),
        ("Decimal", VT.DECIMAL, VT.DECIMAL_LIST, pa.string(), ["12.50", "-0.000001", "1E+30", "123456789012345678901234567890.123456789", None]),
        ("PdfBytes", VT.PDF_BYTES, None, pa.binary(), [b"%PDF-1.7", b"", None]),
        ("ImageBytes", VT.IMAGE_BYTES, None, pa.binary(), [b"\x89PNG", None]),
    ):
        for v in vals:
            inp = {"hex": v.hex()} if isinstance(v, bytes) else v
            # after one ordinary value, as value_vectors does: Feast infers from the first non-empty one
            record(dtype, "python", inp, lambda v=v: python_values_to_proto_values([vals[0], v], vt)[1])
            record(dtype, "arrow", inp, lambda v=v: arrow_one(typ, vt, v, vals[0]))
        if lvt is not None:
            for lv in ([vals[0], vals[1]], [], [vals[0], None], None):
                record(f"Array({dtype})", "python", lv, lambda lv=lv: python_values_to_proto_values([[vals[0]], lv], lvt)[1])
                record(f"Array({dtype})", "arrow", lv, lambda lv=lv: arrow_one(pa.list_(typ), lvt, lv, [vals[0]]))
    # Decimal from a DECIMAL column: str() of the Decimal pyarrow hands Feast
    for v in ["12.50", "-0.01", "0.00"]:
        record("Decimal", "arrow", {"decimal128_10_2": v}, lambda v=v: arrow_one(pa.decimal128(10, 2), VT.DECIMAL, decimal.Decimal(v), decimal.Decimal("1.00")))
    # Map: values typed by inference, nested maps and lists, unicode keys (python path; Feast's
    # materialize refuses a MAP column, see the arrow record)
    maps = [
        {"b": "x", "a": 1, "é": 2.5, "z": None, "l": [1, 2], "n": {"q": True}},
        {},
        {"😀": "smile", "": "empty key", "neg": -(2**53 - 1), "strs": ["a", ""], "floats": [0.5, 1.5], "bools": [True]},
        {"deep": {"deeper": {"deepest": "x"}}, "maps": [{"k": "v"}, {"k2": 7}]},
        None,
    ]
    for m in maps:
        record("Map", "python", None if m is None else {"object": m}, lambda m=m: python_values_to_proto_values([m], VT.MAP)[0])
    record("Map", "arrow", {"object": {"a": "x"}}, lambda: arrow_one(pa.map_(pa.string(), pa.string()), VT.MAP, [("a", "x")], [("a", "x")]))
    for ml in ([{"a": 1}, {"b": "x"}, {}], [], None):
        record("Array(Map)", "python", None if ml is None else {"object": ml}, lambda ml=ml: python_values_to_proto_values([ml], VT.MAP_LIST)[0])
    # Struct: a pyarrow struct column (materialize) and a dict (push); field types from the schema
    person = pa.struct([("name", pa.string()), ("age", pa.int32()), ("score", pa.float64())])
    for sv in ({"name": "ann", "age": 30, "score": 0.5}, {"name": "", "age": -1, "score": 2.0}, {"name": None, "age": None, "score": None}, None):
        inp = None if sv is None else {"object": sv}
        record("Struct({name: String, age: Int32, score: Float64})", "arrow", inp, lambda sv=sv: arrow_one(person, VT.STRUCT, sv, {"name": "s", "age": 1, "score": 1.5}))
    for sl in ([{"name": "a", "age": 1, "score": 0.5}, {"name": "b", "age": 2, "score": 1.5}], [], None):
        inp = None if sl is None else {"object": sl}
        record("Array(Struct({name: String, age: Int32, score: Float64}))", "arrow", inp,
               lambda sl=sl: arrow_one(pa.list_(person), VT.STRUCT_LIST, sl, [{"name": "s", "age": 1, "score": 1.5}]))
    # ScalarMap: non-string keys, in dict order
    for sm in ([[1, "one"], [-5, 2.5], [2**40, None]], [[True, "t"]], [[0.5, [1, 2]]]):
        record("ScalarMap", "python", {"pairs": sm}, lambda sm=sm: python_values_to_proto_values([{k: v for k, v in sm}], VT.SCALAR_MAP)[0])
    # ZonedTimestamp: python datetimes (Feast's materialize refuses a timestamp column, see arrow)
    berlin = dt.datetime(2024, 3, 31, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    for zv, zone in (
        (berlin, "Europe/Berlin"),
        (dt.datetime(2024, 1, 1, 12, 0), ""),
        (dt.datetime(1970, 1, 1, tzinfo=UTC), "UTC"),
        (dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-7))), "UTC-07:00"),
        (dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), "UTC"),
        (None, None),
    ):
        inp = None if zv is None else {"seconds": str(int((zv if zv.tzinfo else zv.replace(tzinfo=UTC)).timestamp())), "zone": zone}
        record("ZonedTimestamp", "python", inp, lambda zv=zv: python_values_to_proto_values([zv], VT.ZONED_TIMESTAMP)[0])
    record("ZonedTimestamp", "arrow", {"seconds": "0", "zone": "UTC"},
           lambda: arrow_one(pa.timestamp("us", tz="UTC"), VT.ZONED_TIMESTAMP, dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(1970, 1, 1, tzinfo=UTC)))
    # Nested collections (VALUE_LIST / VALUE_SET)
    for dtype, vt, typ, vals in (
        ("Array(Array(Int32))", VT.VALUE_LIST, pa.list_(pa.list_(pa.int32())), [[[1, 2], [], None, [3]], [], None]),
        ("Array(Array(Int64))", VT.VALUE_LIST, pa.list_(pa.list_(pa.int64())), [[[2**63 - 1], [-1, 0]]]),
        ("Array(Array(String))", VT.VALUE_LIST, pa.list_(pa.list_(pa.string())), [[["a", "é"], ["", "b"]]]),
        ("Array(Array(Float64))", VT.VALUE_LIST, pa.list_(pa.list_(pa.float64())), [[[0.5], [1e300, -2.5]]]),
        ("Array(Array(Bool))", VT.VALUE_LIST, pa.list_(pa.list_(pa.bool_())), [[[True, False], [True]]]),
        ("Set(Array(Int64))", VT.VALUE_SET, pa.list_(pa.list_(pa.int64())), [[[1, 2], [3]]]),
        ("Array(Array(Array(Int64)))", VT.VALUE_LIST, pa.list_(pa.list_(pa.list_(pa.int64()))), [[[[1], [2, 3]], [[4]]]]),
    ):
        for v in vals:
            scalar = re.search(r"\((\w+)\)+$", dtype).group(1)
            enc = lambda x: [enc(e) for e in x] if isinstance(x, list) else enc_scalar(scalar, x)  # noqa: E731
            inp = None if v is None else enc(v)
            record(dtype, "arrow", inp, lambda v=v, typ=typ, vt=vt, vals=vals: arrow_one(typ, vt, v, vals[0]))
            record(dtype, "python", inp, lambda v=v, vt=vt: python_values_to_proto_values([v], vt)[0])
    return out


# ---------------------------------------------------------------- event_ts and items

def micros_of(d):
    return (d - EPOCH) // dt.timedelta(microseconds=1)


def event_ts_vectors():
    stamps = [
        ts(2021, 4, 12, 10, 59, 42), ts(2021, 4, 12, 10, 59, 42, 123456), ts(2021, 4, 12, 10, 59, 42, 1),
        ts(2021, 4, 12, 10, 59, 42, 100000), ts(1970, 1, 1), ts(1969, 12, 31, 23, 59, 59, 999999),
        ts(1, 1, 1), ts(9999, 12, 31, 23, 59, 59, 999999), ts(2000, 2, 29, 12, 0, 0, 500),
    ]
    for _ in range(30):
        stamps.append(EPOCH + dt.timedelta(microseconds=rng.randint(-(10**16), 10**16)))
    written = []
    # The materialize path: an arrow timestamp column through pandas, as _convert_arrow_fv_to_proto does.
    col = pa.array(stamps, type=pa.timestamp("us", tz="UTC"))
    converted = [_coerce_datetime(v) for v in pd.to_datetime(col.to_numpy(zero_copy_only=False))]
    for original, conv in zip(stamps, converted):
        written.append({"micros": str(micros_of(original)), "event_ts": str(make_tzaware(conv))})
    # What Feast reads back with datetime.fromisoformat, including offsets other writers may use.
    texts = [w["event_ts"] for w in written[:9]] + [
        "2021-04-12 10:59:42+01:00", "2021-04-12 10:59:42.250000-05:30", "2021-04-12T10:59:42+00:00",
        "2021-04-12 10:59:42", "2021-04-12 10:59:42.5+00:00", "2021-04-12T10:59:42Z",
    ]
    read = []
    for t in texts:
        parsed = dt.datetime.fromisoformat(t)
        read.append({"event_ts": t, "micros": str(micros_of(make_tzaware(parsed)))})
    return written, read


def item_vectors():
    """Whole DynamoDB items as DynamoDBOnlineStore writes them (client form)."""
    config = types.SimpleNamespace(entity_key_serialization_version=3)
    out = []
    rows = [
        ({"driver_id": ("Int64", 1001)}, {"conv_rate": ("Float32", 0.5), "avg_daily_trips": ("Int64", 7)},
         ts(2021, 4, 12, 10, 0, 0, 250000)),
        ({"driver_id": ("Int64", 1002), "customer_id": ("String", "C7")},
         {"note": ("String", None), "tags": ("Array(String)", ["a", "b"])}, ts(2021, 4, 12, 11, 0, 0)),
    ]
    for keys, feats, when in rows:
        ek = EntityKey(join_keys=list(keys), entity_values=[key_value(d, v) for d, v in keys.values()])
        protos = {}
        for name, (d, v) in feats.items():
            vt = LIST_VT[d[6:-1]] if d.startswith("Array(") else SCALAR_VT[d]
            protos[name] = python_values_to_proto_values([v], vt)[0]
        item = _to_client_write_item(config, ek, protos, when.replace(tzinfo=None))
        out.append({
            "join_keys": [{"name": n, "dtype": d, "value": enc_scalar(d, v)} for n, (d, v) in keys.items()],
            "features": [{"name": n, "dtype": d, "value": enc_input(d[6:-1] if d.startswith("Array(") else d,
                                                                    "list" if d.startswith("Array(") else "scalar", v)}
                         for n, (d, v) in feats.items()],
            "event_micros": str(micros_of(when)),
            "item": {
                "entity_id": item["entity_id"]["S"],
                "event_ts": item["event_ts"]["S"],
                "values": {k: v["B"].hex() for k, v in item["values"]["M"].items()},
            },
        })
    return out


# ---------------------------------------------------------------- the core set

CORE_KEYS = [
    [("driver_id", "Int64", 1001)],
    [("driver_id", "Int64", 1005)],
    [("user_id", "String", "alice")],
    [("__dummy_id", "String", "")],
    [("driver_id", "Int64", 1001), ("customer_id", "String", "C42")],
]
# (dtype, value as the core JSON holds it, Python value Feast gets)
CORE_VALUES = [
    ("Float32", 0.5, 0.5), ("Float64", 0.5, 0.5), ("Int64", 1001, 1001), ("Int64", 0, 0), ("Int32", 7, 7),
    ("String", "abc", "abc"), ("Bool", True, True), ("Bool", False, False),
    ("UnixTimestamp", 1618210800, dt.datetime.fromtimestamp(1618210800, tz=UTC)),
    ("Bytes", "0102", b"\x01\x02"), ("Array(Float32)", [1, 2], [1.0, 2.0]), ("Array(Int64)", [1, 2], [1, 2]),
    ("Array(String)", ["a", "b"], ["a", "b"]), ("Array(Float32)", [], []), ("Float32", None, None),
]
CORE_TS = ["2021-04-12T07:00:00+00:00", "2021-04-12T07:00:00.123456+00:00", "2021-04-12T07:00:00.123000+00:00"]


def vt_of(dtype):
    return LIST_VT[dtype[6:-1]] if dtype.startswith("Array(") else SCALAR_VT[dtype]


def core_vectors():
    """Entity keys, values (python path), event_ts and one whole item, in the plain shape unit tests use."""
    keys = []
    for parts in CORE_KEYS:
        ek = EntityKey(join_keys=[p[0] for p in parts], entity_values=[key_value(p[1], p[2]) for p in parts])
        keys.append({
            "join_keys": [{"name": n, "dtype": d, "value": v} for n, d, v in parts],
            "serialized_hex": serialize_entity_key(ek, entity_key_serialization_version=3).hex(),
            "entity_id": compute_entity_id(ek, entity_key_serialization_version=3),
        })
    values = []
    for dtype, shown, py in CORE_VALUES:
        sample = [SAMPLE[dtype[6:-1]]] if dtype.startswith("Array(") else None
        # A leading ordinary value: Feast infers a column's type from its first non-empty value.
        batch = [sample, py] if sample is not None else [py]
        hexed = hexes(python_values_to_proto_values(batch, vt_of(dtype)))[-1]
        values.append({"dtype": dtype, "value": shown, "serialized_hex": hexed})
    event_ts = [{"iso": t, "event_ts": str(make_tzaware(dt.datetime.fromisoformat(t)))} for t in CORE_TS]

    config = types.SimpleNamespace(entity_key_serialization_version=3)
    ek = EntityKey(join_keys=["driver_id"], entity_values=[Value(int64_val=1001)])
    feats = {"conv_rate": ("Float32", 0.5), "acc_rate": ("Float32", 0.25), "avg_daily_trips": ("Int64", 308)}
    protos = {n: python_values_to_proto_values([v], vt_of(d))[0] for n, (d, v) in feats.items()}
    item = _to_client_write_item(config, ek, protos, ts(2021, 4, 12, 7, 0, 0).replace(tzinfo=None))
    return {
        "entity_keys": keys,
        "values": values,
        "event_ts": event_ts,
        "item": {
            "note": "driver_id=1001 (Int64), conv_rate 0.5 (Float32), acc_rate 0.25 (Float32), avg_daily_trips "
                    "308 (Int64), event 2021-04-12T07:00:00Z; B values base64",
            "dynamodb_json": {
                "entity_id": item["entity_id"],
                "event_ts": item["event_ts"],
                "values": {"M": {k: {"B": base64.b64encode(v["B"]).decode()} for k, v in item["values"]["M"].items()}},
            },
        },
    }


# ---------------------------------------------------------------- registry schema

REGISTRY_MESSAGES = {
    "Registry": "Registry_pb2.Registry", "ProjectMetadata": "Registry_pb2.ProjectMetadata",
    "Project": "Project_pb2.Project", "ProjectSpec": "Project_pb2.ProjectSpec", "ProjectMeta": "Project_pb2.ProjectMeta",
    "Entity": "Entity_pb2.Entity", "EntitySpecV2": "Entity_pb2.EntitySpecV2", "EntityMeta": "Entity_pb2.EntityMeta",
    "FeatureView": "FeatureView_pb2.FeatureView", "FeatureViewSpec": "FeatureView_pb2.FeatureViewSpec",
    "FeatureViewMeta": "FeatureView_pb2.FeatureViewMeta",
    "MaterializationInterval": "FeatureView_pb2.MaterializationInterval",
    "FeatureSpecV2": "Feature_pb2.FeatureSpecV2", "DataSource": "DataSource_pb2.DataSource",
    "DataSource.FileOptions": "DataSource_pb2.DataSource.FileOptions", "FileFormat": "DataFormat_pb2.FileFormat",
    "FeatureService": "FeatureService_pb2.FeatureService",
    "FeatureServiceSpec": "FeatureService_pb2.FeatureServiceSpec",
    "FeatureServiceMeta": "FeatureService_pb2.FeatureServiceMeta",
    "FeatureViewProjection": "FeatureViewProjection_pb2.FeatureViewProjection",
    "StreamFeatureView": "StreamFeatureView_pb2.StreamFeatureView",
    "StreamFeatureViewSpec": "StreamFeatureView_pb2.StreamFeatureViewSpec",
    "OnDemandFeatureView": "OnDemandFeatureView_pb2.OnDemandFeatureView",
    "OnDemandFeatureViewSpec": "OnDemandFeatureView_pb2.OnDemandFeatureViewSpec",
    "OnDemandSource": "OnDemandFeatureView_pb2.OnDemandSource",
    "LabelView": "LabelView_pb2.LabelView",
    "LabelViewSpec": "LabelView_pb2.LabelViewSpec",
}


def registry_fields():
    """Field name -> number of each registry message dynafeast writes, from Feast's compiled protos."""
    import importlib

    out = {}
    for name, where in REGISTRY_MESSAGES.items():
        module, *path = where.split(".")
        obj = importlib.import_module(f"feast.protos.feast.core.{module}")
        for part in path:
            obj = getattr(obj, part)
        out[name] = {f.name: f.number for f in obj.DESCRIPTOR.fields}
    return out


def value_type_enum():
    return [[v.name, v.number] for v in Value.DESCRIPTOR.file.message_types_by_name["ValueType"].enum_types_by_name["Enum"].values]


def main():
    written, read = event_ts_vectors()
    doc = {
        "about": "Produced by scripts/interop/feast_vectors.py from the installed Feast SDK; do not edit.",
        "feast_version": version("feast"),
        "mmh3_version": version("mmh3"),
        "protobuf_version": version("protobuf"),
        "numpy_version": np.__version__,
        "entity_keys": entity_key_vectors(),
        "values": value_vectors(),
        "typed_values": typed_value_vectors(),
        "event_ts_written": written,
        "event_ts_read": read,
        "items": item_vectors(),
        "core": core_vectors(),
        "registry_fields": registry_fields(),
        "value_type_enum": value_type_enum(),
    }
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    print(f"wrote {sys.argv[1]}: {len(doc['entity_keys'])} keys, {len(doc['values'])} values, "
          f"{len(doc['typed_values'])} values of the other types, "
          f"{len(written) + len(read)} event_ts, {len(doc['items'])} items (feast {doc['feast_version']})")


if __name__ == "__main__":
    main()
