"""Charts computed from a Spark-written lake equal charts computed from a lake-writer-written lake.

About 2,000 generated plays (devkit/play-batches.ts: valid plays, short ones, duplicate deliveries,
invalid events of every kind) are produced to a fresh topic (spark/tests/produce_traffic.ts, which also writes
the records with their partitions and offsets). The Spark job runs `--once` over the topic into lake A (on the
S3 server when it is configured, else a folder); the same records go through the lake-writer use case in
batches of 500 into lake B, a folder (spark/tests/lake_writer_probe.ts).
The chart query (tallyTopSongs, spark/tests/charts_probe.ts) then computes the hour and day charts, for every
region and global, from both lakes: they must be equal, and not trivially so."""

from __future__ import annotations

import json

from conftest import NEEDS_KAFKA, fresh_topic, lake_view, node, read_rejects, run_job

pytestmark = NEEDS_KAFKA

COUNT = 2_000
SEED = 2_024
# The generated plays fall in 2026-11-20 10:00–12:00 UTC (produce_traffic.ts): two hour charts, one day chart.
INSTANTS = ["2026-11-20T10:30:00.000Z", "2026-11-20T11:30:00.000Z"]


def charts(lake) -> dict:
    return json.loads(node("spark/tests/charts_probe.ts", str(lake), *INSTANTS))


def test_charts_from_a_spark_lake_equal_charts_from_a_lake_writer_lake(brokers, lake, tmp_path):
    topic = fresh_topic()
    records_file = tmp_path / "records.json"
    node("spark/tests/produce_traffic.ts", topic, str(COUNT), str(SEED), str(records_file))
    records = json.loads(records_file.read_text(encoding="utf-8"))
    assert len(records) == COUNT

    run_job(lake.uri, "--once", "--topic", topic)
    spark_lake = lake.local()

    writer_lake = tmp_path / "lake-b"
    summary = json.loads(node("spark/tests/lake_writer_probe.ts", str(records_file), str(writer_lake), env={"REGIONS": ""}))

    # Both lakes hold the same records: Spark's rows sit at the partitions and offsets of the record list, and
    # it rejected the very records the lake-writer rejected.
    by_position = {(r["partition"], r["offset"]): json.loads(r["value"]) for r in records}
    spark_rows = lake_view(str(spark_lake))["rows"]
    assert all(
        by_position[(row["source_partition"], row["source_offset"])].get("event_id") == row["event_id"]
        for row in spark_rows
    )
    _, spark_rejects = read_rejects(str(spark_lake))
    _, writer_rejects = read_rejects(str(writer_lake))
    assert len(spark_rejects) == summary["rejected"] > 0
    assert [(r["partition"], r["offset"]) for r in spark_rejects] == [
        (r["partition"], r["offset"]) for r in writer_rejects
    ]
    # The lake-writer keeps every delivery; Spark drops repeated event_ids, so the generated duplicates make
    # its lake smaller, and the chart query's dedup must make up the difference.
    distinct = len({row["event_id"] for row in spark_rows})
    assert distinct == len(spark_rows) < summary["written"]

    from_spark, from_writer = charts(spark_lake), charts(writer_lake)
    assert from_spark["charts"] == from_writer["charts"]

    hour_charts = {name: c for name, c in from_spark["charts"].items() if name.startswith("hour ")}
    day_charts = {name: c for name, c in from_spark["charts"].items() if name.startswith("day ")}
    assert len(hour_charts) == 2 and len(day_charts) == 1
    regions = ["br", "de", "fr", "gb", "global", "in", "jp", "mx", "us"]
    for chart in [*hour_charts.values(), *day_charts.values()]:
        assert sorted(chart) == regions
        assert len(chart["global"]["entries"]) == 10
    day = next(iter(day_charts.values()))
    # Short plays (< 30 s) and duplicates are not counted: fewer eligible plays than valid deliveries.
    assert 0 < day["global"]["eligible_plays"] < summary["written"]
    assert day["global"]["eligible_plays"] == sum(day[r]["eligible_plays"] for r in regions if r != "global")
