"""(a) The validation expressions against the golden vectors, without Kafka: a static DataFrame of the
vector messages must classify exactly as test/vectors/plays.json says (the lake-writer's outcome: every
valid delivery is a row; the Spark job's dedup is tested with Kafka in test_kafka_job.py)."""

from __future__ import annotations

import json

from conftest import comparable_errors, expected_rejects, expected_rows, vector_frame
from top_songs_stream.job import play_columns, plays_and_rejects, reject_lines
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


def test_edge_cases_match_the_typescript(spark):
    """A few rules the vectors do not cover, with the answers src/domain/play-event.ts gives."""
    from datetime import datetime, timezone

    from top_songs_stream.schema import KAFKA_SCHEMA

    base = {"event_id": "00000000-0000-4000-8000-000000000001", "user_id": "u", "song_id": "s", "region": "us",
            "played_at": "2026-11-01T11:00:00Z", "ms_played": 1}
    cases = {
        "nulls": ({**base, "user_id": None, "device": None, "event_id": None},
                  [("event_id", "must be a UUID"), ("user_id", "Invalid input: expected string, received null"),
                   ("device", "Invalid input: expected string, received null")]),
        "types": ({**base, "song_id": [1], "session_id": {}, "region": True, "played_at": 7},
                  [("song_id", "Invalid input: expected string, received array"),
                   ("region", "Invalid input: expected string, received boolean"),
                   ("played_at", "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T13:05:00Z"),
                   ("session_id", "Invalid input: expected string, received object")]),
        "lengths": ({**base, "user_id": "x" * 129, "song_id": "😀" * 32, "device": ""},
                    [("user_id", "must be at most 128 characters"), ("device", "must not be empty")]),
        "utf16": ({**base, "song_id": "😀" * 33}, [("song_id", "must be at most 64 characters")]),
        "empty region": ({**base, "region": ""}, [("region", "must not be empty")]),
        "no offset": ({**base, "played_at": "2026-11-01T11:00:00"}, [("played_at", "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T13:05:00Z")]),
        "feb 30": ({**base, "played_at": "2026-02-30T11:00:00Z"}, [("played_at", "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T13:05:00Z")]),
        "30 days exactly": ({**base, "played_at": "2026-10-02T12:00:00Z"}, []),
        "30 days and 1 ms": ({**base, "played_at": "2026-10-02T11:59:59.999Z"}, [("played_at", "is older than 30 days")]),
        "exponent": ({**base, "ms_played": 3e4}, []),
        "too long": ({**base, "ms_played": 86400001}, [("ms_played", "must be ≤ 86400000 (24 hours)")]),
        "negative fraction": ({**base, "ms_played": -1.5}, [("ms_played", "must be an integer")]),
        "missing all": ({}, [(f, "is required") for f in ["event_id", "user_id", "song_id", "region", "played_at", "ms_played"]]),
        "string value": ("x", [("(event)", "must be a JSON object")]),
        "null value": (None, [("(event)", "must be a JSON object")]),
    }
    now = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    frame = spark.createDataFrame(
        [(None, json.dumps(value), name, 0, i, now) for i, (name, (value, _)) in enumerate(cases.items())],
        KAFKA_SCHEMA,
    )
    got = {r.topic: [(e.field, e.message) for e in r.errors] for r in plays_and_rejects(frame, ["us"], None).collect()}
    assert got == {name: errors for name, (_, errors) in cases.items()}
