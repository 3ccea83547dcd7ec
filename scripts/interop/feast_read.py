"""Reads features with Feast's own FeatureStore.get_online_features and prints them in a canonical
JSON form that test/interop compares with `dynafeast get-online-features --output json`.

The repo folder may hold no Python definitions at all (a dynafeast repo: feature_store.yaml and the
registry.db dynafeast wrote); FeatureStore only needs the config and the registry to read.

Canonical values: a set as a sorted list; UUID and Decimal as str(); int beyond +-(2^53-1) as a decimal string; float NaN/Infinity/-Infinity as those
strings; bytes as base64; datetime as isoformat(); Json as the parsed value. Statuses are
FieldStatus names; event timestamps are whole seconds, as OnlineResponse.to_dict(True) gives them.

Usage: python feast_read.py REPO_DIR REQUEST.json OUT.json
REQUEST.json: {"features": ["view:feature", ...] | "feature_service": NAME, "entity_rows": [{...}],
               "full_feature_names": bool}
"""

import base64
import datetime as dt
import decimal
import json
import math
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")

from feast import FeatureStore  # noqa: E402
from feast.protos.feast.serving.ServingService_pb2 import FieldStatus  # noqa: E402

SAFE = 2**53 - 1


def canon(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if -SAFE <= v <= SAFE else str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode("ascii")
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, (uuid.UUID, decimal.Decimal)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [canon(e) for e in v]
    if isinstance(v, (set, frozenset)):
        # Python's set order depends on the process: sorted by the canonical JSON of each element
        return sorted((canon(e) for e in v), key=lambda e: json.dumps(e, sort_keys=True))
    if isinstance(v, dict):
        # non-string keys (ScalarMap) as [key, value] pairs
        if all(isinstance(k, str) for k in v):
            return {k: canon(e) for k, e in v.items()}
        return [[canon(k), canon(e)] for k, e in v.items()]
    raise TypeError(f"no canonical form for {type(v).__name__}: {v!r}")


def main():
    repo, request_path, out_path = sys.argv[1:4]
    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    store = FeatureStore(repo_path=repo)
    features = request.get("features")
    if features is None:
        features = store.get_feature_service(request["feature_service"])
    response = store.get_online_features(
        features=features,
        entity_rows=request["entity_rows"],
        full_feature_names=request.get("full_feature_names", False),
    )
    values = response.to_dict()
    names = list(response.proto.metadata.feature_names.val)
    statuses = {}
    timestamps = {}
    for name, vector in zip(names, response.proto.results):
        statuses[name] = [FieldStatus.Name(s) for s in vector.statuses]
        timestamps[name] = [ts.seconds for ts in vector.event_timestamps]
    doc = {
        "columns": list(values),
        "values": {k: canon(v) for k, v in values.items()},
        "statuses": statuses,
        "event_timestamps": timestamps,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
