"""The foreachBatch writer on a static batch (no Kafka): layout, file names, the Parquet the TypeScript
side reads (DuckDB), and a re-run of the same batch id that publishes nothing twice."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import comparable_errors, expected_rejects, expected_rows, lake_view, read_rejects, vector_frame
from top_songs_stream.job import LakeBatchWriter, plays_and_rejects

TOPIC = "song-plays"

CONTRACT_TYPES = {
    "event_id": "VARCHAR", "user_id": "VARCHAR", "song_id": "VARCHAR", "region": "VARCHAR",
    "played_at": "TIMESTAMP WITH TIME ZONE", "ms_played": "INTEGER", "device": "VARCHAR",
    "session_id": "VARCHAR", "source_topic": "VARCHAR", "source_partition": "INTEGER", "source_offset": "BIGINT",
}


def write_batch(spark, vectors, lake: Path, batch_id: int = 0) -> None:
    batch = plays_and_rejects(vector_frame(spark, vectors, TOPIC), vectors["regions"], None)
    LakeBatchWriter(lake.resolve().as_uri())(batch, batch_id)


def test_a_batch_lands_as_the_lake_contract_says(spark, vectors, tmp_path):
    lake = tmp_path / "lake"
    write_batch(spark, vectors, lake)
    view = lake_view(str(lake))

    # Every row once (a static batch is not deduplicated: every valid delivery, as the lake-writer).
    assert view["rows"] == expected_rows(vectors, TOPIC, "lake-writer")
    assert {t["column_name"]: t["column_type"] for t in view["types"]} == CONTRACT_TYPES
    assert [t["column_name"] for t in view["types"]] == list(CONTRACT_TYPES)
    assert {c["repetition_type"] for c in view["schema"]} == {"OPTIONAL"}
    played_at = next(c for c in view["schema"] if c["name"] == "played_at")
    assert played_at["type"] == "INT64"
    assert "isAdjustedToUTC=1" in played_at["logical_type"] and "MICROS=MicroSeconds()" in played_at["logical_type"]
    assert [c["compression"] for c in view["codecs"]] == ["ZSTD"]

    # One file per UTC hour and source partition, named after its first offset, like the lake-writer's.
    assert view["files"] == sorted(
        [
            "dt=2026-10-29/hour=08/spark-song-plays-1-000000000004.parquet",
            "dt=2026-11-01/hour=09/spark-song-plays-0-000000000005.parquet",
            "dt=2026-11-01/hour=10/spark-song-plays-1-000000000000.parquet",
            "dt=2026-11-01/hour=11/spark-song-plays-0-000000000000.parquet",
            "dt=2026-11-01/hour=11/spark-song-plays-1-000000000006.parquet",
            "dt=2026-11-01/hour=11/spark-song-plays-2-000000000004.parquet",
            "dt=2026-11-01/hour=12/spark-song-plays-2-000000000007.parquet",
        ]
    )
    files, lines = read_rejects(str(lake))
    assert files == [
        "dt=2026-11-01/spark-song-plays-0-000000000002.jsonl",
        "dt=2026-11-01/spark-song-plays-1-000000000001.jsonl",
        "dt=2026-11-01/spark-song-plays-2-000000000000.jsonl",
    ]
    assert [{**line, "errors": comparable_errors(line["errors"])} for line in lines] == expected_rejects(vectors, TOPIC)

    # Nothing else is left where the chart job lists: no staging, no _SUCCESS, no checksums.
    everything = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())
    assert all(p.startswith(("plays/", "rejects/")) for p in everything), everything
    assert all(p.endswith((".parquet", ".jsonl")) for p in everything), everything


def test_a_rerun_of_the_same_batch_publishes_nothing_twice(spark, vectors, tmp_path):
    lake = tmp_path / "lake"
    write_batch(spark, vectors, lake, batch_id=7)
    first = {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    # A failed attempt that had published one file, then lost another: the re-run restores exactly the set.
    lost = next(p for p in first if p.name.endswith(".parquet"))
    os.remove(lost)
    write_batch(spark, vectors, lake, batch_id=7)
    second = {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    assert set(second) == set(first)
    assert all(second[p] == first[p] for p in first if p != lost)
    assert lake_view(str(lake))["rows"] == expected_rows(vectors, TOPIC, "lake-writer")
