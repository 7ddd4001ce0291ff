"""The Spark job's restatement marks: the same keys as the lake-writer's (test/unit/domain/restatements.test.ts
holds the TypeScript to the same examples), without Spark."""

from __future__ import annotations

import json
from datetime import datetime

from top_songs_stream.restatements import mark_body, mark_keys

STEM = "spark-song-plays-2-000000000042"


def at(instant: str) -> datetime:
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


def test_nothing_while_the_hour_is_open_or_in_its_first_four_minutes_of_grace():
    assert mark_keys("2026-11-20", "09", STEM, at("2026-11-20T10:01:00Z")) == []
    assert mark_keys("2026-11-20", "09", STEM, at("2026-11-20T10:03:59.999Z")) == []


def test_the_closed_hour_alone_while_its_day_is_open():
    assert mark_keys("2026-11-20", "09", STEM, at("2026-11-20T10:04:00Z")) == [
        f"restatements/hour/2026-11-20T09/{STEM}"
    ]


def test_the_hour_and_its_day_once_the_day_is_closed():
    assert mark_keys("2026-11-20", "09", STEM, at("2026-11-21T00:04:00Z")) == [
        f"restatements/hour/2026-11-20T09/{STEM}",
        f"restatements/day/2026-11-20/09-{STEM}",
    ]


def test_a_mark_names_its_plays_file():
    body = json.loads(mark_body("plays/dt=2026-11-20/hour=09/x.parquet", at("2026-11-21T00:30:00Z")))
    assert body == {"plays_file": "plays/dt=2026-11-20/hour=09/x.parquet", "marked_at": "2026-11-21T00:30:00.000Z"}
