"""Dumps every item of a project's online tables, raw, with boto3 (what Feast's DynamoDB store uses),
so test/interop can compare what dynafeast and Feast wrote for the same rows byte for byte.

Output: {"<view>": {"<entity_id>": {"event_ts": str, "values": {feature: hex}, "attributes": [names]}}}
for tables named "<project>.<view>" (Feast's default table_name_template).

Usage: python dump_tables.py ENDPOINT_URL REGION PROJECT OUT.json
"""

import json
import sys

import boto3


def main():
    endpoint, region, project, out_path = sys.argv[1:5]
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    prefix = project + "."
    names = []
    for page in client.get_paginator("list_tables").paginate():
        names += [n for n in page["TableNames"] if n.startswith(prefix)]
    doc = {}
    for table in sorted(names):
        items = {}
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                items[item["entity_id"]["S"]] = {
                    "event_ts": item["event_ts"]["S"],
                    "values": {k: v["B"].hex() for k, v in item.get("values", {}).get("M", {}).items()},
                    "attributes": sorted(item),
                }
        doc[table[len(prefix):]] = items
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
