"""No record is dropped whatever its Kafka timestamp, and duplicates within the dedup window still are.

The job's dedup watermark is on processing time (job.plays_and_rejects). A watermark on the Kafka record
timestamp dropped every record more than the window behind the newest timestamp of an earlier micro-batch:
here partition 0 holds records stamped now, partition 1 three days earlier, partition 2 a replay from 2024,
read a few offsets per micro-batch (--max-offsets-per-trigger), so the old records come in batches after
new ones. Every valid record must land, every reject too, and the two later deliveries of an event_id (one
across partitions three days apart, one within the replay) must be dropped."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from conftest import NEEDS_KAFKA, fresh_topic, jars, play_value, produce

pytestmark = NEEDS_KAFKA

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
STAMPS = {0: NOW, 1: NOW - timedelta(days=3), 2: datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)}
PER_PARTITION = 8


def ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def records() -> tuple[list[dict], set[tuple[int, int]]]:
    """The records in production order, and the (partition, offset) of the deliveries the dedup drops."""
    by_partition: dict[int, list[str]] = {p: [] for p in STAMPS}
    for p, stamp in STAMPS.items():
        by_partition[p] = [play_value(100 * p + i, stamp - timedelta(minutes=1 + i)) for i in range(PER_PARTITION)]
    # Three days apart: valid against both record timestamps (3 days old, and a minute old).
    across = play_value(999, STAMPS[1] - timedelta(minutes=1))
    by_partition[0][0] = across
    by_partition[1].append(across)
    by_partition[2].append(by_partition[2][0])  # the replay delivered one event twice
    by_partition[1].append('{"not": "a play"}')
    by_partition[2].append("not json")
    produced = [
        {"partition": p, "timestamp": ms(STAMPS[p]), "key": None, "value": value}
        for p, values in by_partition.items()
        for value in values
    ]
    return produced, {(1, PER_PARTITION), (2, PER_PARTITION)}


def test_old_and_skewed_timestamps_lose_nothing_and_duplicates_are_dropped(spark, vectors, brokers, lake):
    from top_songs_stream.job import start
    from top_songs_stream.settings import JobSettings

    topic = fresh_topic()
    produced, dropped = records()
    produce(topic, len(STAMPS), produced)
    settings = JobSettings(
        brokers=brokers, topic=topic, lake_uri=lake.uri, regions=vectors["regions"], checkpoint=lake.checkpoint,
        once=True, max_offsets_per_trigger=4, state_partitions=2, jars=jars(),
    )
    query = start(spark, settings)
    query.awaitTermination()

    offsets = {p: 0 for p in STAMPS}
    positions = []
    for record in produced:
        positions.append((record["partition"], offsets[record["partition"]], record["value"]))
        offsets[record["partition"]] += 1
    valid = [(p, o, json.loads(v)["event_id"]) for p, o, v in positions if v.startswith('{"event_id"')]
    expected = [row for row in valid if row[:2] not in dropped]
    rows = lake.view()["rows"]
    assert sorted((r["source_partition"], r["source_offset"], r["event_id"]) for r in rows) == sorted(expected)
    _, rejects = lake.rejects()
    assert [(r["partition"], r["offset"]) for r in rejects] == [(1, PER_PARTITION + 1), (2, PER_PARTITION + 1)]

    # Several micro-batches, and the dedup never saw a row as late.
    progress = [p for p in query.recentProgress if p.numInputRows > 0]
    assert len(progress) >= 4
    assert sum(op.numRowsDroppedByWatermark for p in progress for op in p.stateOperators) == 0
