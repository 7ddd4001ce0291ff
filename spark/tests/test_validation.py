"""(a) The validation expressions against the golden vectors, without Kafka: a static DataFrame of the
vector messages must classify exactly as test/vectors/plays.json says (the lake-writer's outcome: every
valid delivery is a row; the Spark job's dedup is tested with Kafka in test_kafka_job.py). Edge cases of the
rules (lengths, whitespace, JSON types, numbers, clock boundaries) are vectors too, so that the lake-writer's
vector test holds the TypeScript to the same answers."""

from __future__ import annotations

import json

from conftest import comparable_errors, expected_rejects, expected_rows, vector_frame
from top_songs_stream.transform import play_columns, plays_and_rejects, reject_lines
from top_songs_stream.schema import PLAYS_SCHEMA

TOPIC = "song-plays"


def as_vector_row(row) -> dict:
    out = row.asDict()
    out["played_at"] = out["played_at"].strftime("%Y-%m-%dT%H:%M:%S.") + f"{out['played_at'].microsecond // 1000:03d}Z"
    return out


def test_valid_messages_become_exactly_the_expected_rows(spark, vectors):
    classified = plays_and_rejects(vector_frame(spark, vectors, TOPIC), vectors["regions"], None)
    rows = play_columns(classified.filter("valid")).orderBy("source_partition", "source_offset").collect()
    assert [as_vector_row(r) for r in rows] == expected_rows(vectors, TOPIC, "lake-writer")


def test_play_columns_have_the_lake_schema(spark, vectors):
    classified = plays_and_rejects(vector_frame(spark, vectors, TOPIC), vectors["regions"], None)
    assert play_columns(classified.filter("valid")).schema == PLAYS_SCHEMA


def test_invalid_messages_become_exactly_the_expected_rejects(spark, vectors):
    classified = plays_and_rejects(vector_frame(spark, vectors, TOPIC), vectors["regions"], None)
    lines = [json.loads(r.line) for r in reject_lines(classified.filter("not valid")).orderBy("partition", "offset").collect()]
    assert [list(line) for line in lines] == [["topic", "partition", "offset", "received_at", "errors", "value"]] * len(lines)
    assert [
        {**line, "errors": comparable_errors(line["errors"])} for line in lines
    ] == expected_rejects(vectors, TOPIC)
    record_errors = [e for line in lines for e in line["errors"] if e["field"] == "(record)"]
    assert record_errors and all(e["message"].startswith("value is not valid JSON") for e in record_errors)


def test_regions_come_from_the_configuration(spark, vectors):
    classified = plays_and_rejects(vector_frame(spark, vectors, TOPIC), ["us"], None)
    by_region = {r.region: [e.asDict() for e in r.errors] for r in classified.filter("region is not null and region <> 'us'").collect()}
    assert by_region["gb"] == [{"field": "region", "message": 'unknown region "gb"; expected one of us'}]


def test_the_default_regions_are_the_vectors_regions(vectors):
    """The vectors assume src/domain/regions.ts's defaults (checked by the lake-writer's vector test), and hold a
    valid play of each: the Python defaults must be that very list, in that order (it is in the messages)."""
    from top_songs_stream.validation import DEFAULT_REGIONS

    assert DEFAULT_REGIONS == vectors["regions"]
    assert {row["region"] for row in vectors["expected_rows"]} == set(DEFAULT_REGIONS)
