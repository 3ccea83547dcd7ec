"""Loads a registry dynafeast wrote with Feast's own FeatureStore, then has Feast write it (an entity
applied through Feast's registry), so the test can check that dynafeast's sharded-run record (a field
Feast's Registry proto does not declare) neither stops Feast from loading nor is lost when Feast writes.

Usage: python feast_registry_keeps.py REPO_DIR OUT.json
OUT.json: {"views": {name: [[start_iso, end_iso], ...]}, "entities": [names]}
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

from feast import Entity, FeatureStore  # noqa: E402

repo, out = sys.argv[1], sys.argv[2]
store = FeatureStore(repo_path=repo)
views = {
    fv.name: [[i[0].isoformat(), i[1].isoformat()] for i in fv.materialization_intervals]
    for fv in store.list_feature_views()
}
store.registry.apply_entity(Entity(name="probe", join_keys=["probe_id"]), project=store.project, commit=True)
reloaded = FeatureStore(repo_path=repo)
entities = sorted(e.name for e in reloaded.list_entities())
with open(out, "w") as f:
    json.dump({"views": views, "entities": entities}, f)
