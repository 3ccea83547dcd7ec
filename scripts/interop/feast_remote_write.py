"""Writes rows through Feast's `remote` online store (a feature server at online_store.path):
FeatureStore.write_to_online_store and FeatureStore.push, as a Feast Python client of
`dynafeast serve` would.

Usage: python feast_remote_write.py REPO_DIR
Writes rider_stats rows for riders 1 and 2 (write_to_online_store) and rider 3 (push, to online).
"""

import sys
import warnings
from datetime import datetime, timezone

warnings.filterwarnings("ignore")

import pandas as pd  # noqa: E402
from feast import FeatureStore  # noqa: E402
from feast.data_source import PushMode  # noqa: E402


def main():
    store = FeatureStore(repo_path=sys.argv[1])
    ts = datetime(2024, 1, 2, 10, 0, 0, tzinfo=timezone.utc)
    store.write_to_online_store(
        "rider_stats",
        pd.DataFrame({"rider_id": [1, 2], "rides": [10, 20], "rating": [4.5, 3.25], "event_timestamp": [ts, ts]}),
    )
    store.push(
        "rider_push",
        pd.DataFrame({"rider_id": [3], "rides": [30], "rating": [5.0], "event_timestamp": [ts]}),
        to=PushMode.ONLINE,
    )


if __name__ == "__main__":
    main()
