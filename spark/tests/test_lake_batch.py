"""The foreachBatch writer on a static batch (no Kafka): layout, file names, the Parquet the TypeScript
side reads (DuckDB), and a re-run of the same batch id that publishes nothing twice."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import (
    assert_contract_schema,
    comparable_errors,
    expected_files,
    expected_rejects,
    expected_rows,
    files_with_offsets,
    lake_view,
    read_rejects,
    vector_frame,
)
from top_songs_stream.sink import LakeBatchWriter
from top_songs_stream.transform import plays_and_rejects

TOPIC = "song-plays"


def write_batch(spark, vectors, lake: Path, batch_id: int = 0) -> None:
    batch = plays_and_rejects(vector_frame(spark, vectors, TOPIC), vectors["regions"], None)
    LakeBatchWriter(lake.resolve().as_uri())(batch, batch_id)


def test_a_batch_lands_as_the_lake_contract_says(spark, vectors, tmp_path):
    lake = tmp_path / "lake"
    write_batch(spark, vectors, lake)
    view = lake_view(str(lake))

    # Every row once (a static batch is not deduplicated: every valid delivery, as the lake-writer).
    assert view["rows"] == expected_rows(vectors, TOPIC, "lake-writer")
    assert_contract_schema(view)

    # One file per UTC hour and source partition (plays), per received date and source partition (rejects),
    # named after its first offset: the files the lake-writer writes of the same batch.
    assert files_with_offsets(str(lake), view) == expected_files(vectors, TOPIC, "spark", dedup=False)
    _, lines = read_rejects(str(lake))
    assert [{**line, "errors": comparable_errors(line["errors"])} for line in lines] == expected_rejects(vectors, TOPIC)

    # Nothing else is left where the chart job lists: no staging, no _SUCCESS, no checksums. Besides the data, only
    # the restatement marks of the closed windows the vectors' old plays fall in (test_restatements.py checks them).
    everything = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())
    data = [p for p in everything if not p.startswith("restatements/")]
    assert all(p.startswith(("plays/", "rejects/")) for p in data), everything
    assert all(p.endswith((".parquet", ".jsonl")) for p in data), everything


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
    # No data file published again; the restatement marks are idempotent keys, written again with each run.
    published = [p for p in first if p != lost and "restatements" not in p.relative_to(lake).parts]
    assert published and all(second[p] == first[p] for p in published)
    assert lake_view(str(lake))["rows"] == expected_rows(vectors, TOPIC, "lake-writer")
