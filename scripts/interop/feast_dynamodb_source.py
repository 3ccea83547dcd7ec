"""Loads a registry holding a dynafeast `type: dynamodb` source (a FileSource with a dynamodb:// uri and
`dynafeast.` tags) with Feast's own FeatureStore, re-applies the source and its view through Feast's
registry (proto -> Python -> proto), and tries `materialize` on the view, which must fail rather than
read anything.

Usage: python feast_dynamodb_source.py REPO_DIR SOURCE VIEW OUT.json
OUT.json: {"views": [names], "source": {"class", "path", "tags"}, "materialize_error": str | null}
"""

import datetime as dt
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from feast import FeatureStore  # noqa: E402

repo, source_name, view_name, out = sys.argv[1:5]
store = FeatureStore(repo_path=repo)
views = sorted(v.name for v in store.list_feature_views())
source = store.get_data_source(source_name)
view = store.get_feature_view(view_name)
store.registry.apply_data_source(source, project=store.project, commit=False)
store.registry.apply_feature_view(view, project=store.project, commit=True)
reloaded = FeatureStore(repo_path=repo).get_data_source(source_name)
error = None
try:
    store.materialize(
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
        end_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        feature_views=[view_name],
    )
except Exception as e:  # noqa: BLE001 - any failure is the expected outcome; the test checks there is one
    error = f"{type(e).__name__}: {e}"
with open(out, "w") as f:
    json.dump(
        {
            "views": views,
            "source": {"class": type(reloaded).__name__, "path": reloaded.path, "tags": dict(reloaded.tags)},
            "materialize_error": error,
        },
        f,
    )
