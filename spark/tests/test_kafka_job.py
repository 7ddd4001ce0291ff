"""(b) and (c): the job against the running broker (KAFKA_BROKERS; `npm run services:up -- kafka`), into a folder lake
and, when the S3 server is configured (AWS_ENDPOINT_URL_S3), into an s3:// lake through S3A.

(b) the vectors produced to a fresh topic, `npm run spark:stream -- --once` (spark/run.sh): the lake holds
    exactly the vectors' Spark rows (the duplicate delivery dropped) with the contract's types, in the vectors'
    files, and the rejects;
(c) half the vectors, a run, a crash simulated after the batch published its files but before Spark
    committed it (its commit-log entry removed), the other half, a run from the same checkpoint: every
    row exactly once, the re-run batch published nothing twice, the duplicate across runs dropped.
A job really killed mid-stream is test_kill_and_resume.py."""

from __future__ import annotations

from conftest import (
    NEEDS_KAFKA,
    assert_contract_schema,
    comparable_errors,
    expected_files,
    expected_rejects,
    expected_rows,
    files_with_offsets,
    fresh_topic,
    produce,
    run_job,
)

pytestmark = NEEDS_KAFKA


def produce_vectors(vectors: dict, topic: str, start: int, end: int | None = None) -> None:
    produce(topic, vectors["topic_partitions"], vectors["messages"][start:end])


def assert_lake_matches(lake, vectors: dict, topic: str) -> dict:
    view = lake.view()
    assert view["rows"] == expected_rows(vectors, topic, "spark")
    _, lines = lake.rejects()
    assert [{**line, "errors": comparable_errors(line["errors"])} for line in lines] == expected_rejects(vectors, topic)
    return view


def test_the_cli_writes_the_vectors_once(vectors, brokers, each_lake):
    topic = fresh_topic()
    produce_vectors(vectors, topic, 0)
    run_job(each_lake.uri, "--once", "--topic", topic)

    view = assert_lake_matches(each_lake, vectors, topic)
    assert_contract_schema(view)
    # One batch: the vectors' files, named as the lake-writer names them (with the spark- prefix).
    assert files_with_offsets(str(each_lake.local()), view) == expected_files(vectors, topic, "spark", dedup=True)
    # The checkpoint lives in the lake, beside (never under) plays/ and rejects/; staging is emptied.
    everything = each_lake.files()
    assert "_checkpoints/spark-stream/commits/0" in everything
    assert not any("_spark_metadata" in name for name in everything)
    assert not [name for name in everything if name.startswith("_staging/")]
    # The vectors' windows closed long ago: each plays file marks its hour and its day for restatement, under the
    # keys the lake-writer uses (docs/contracts.md, "Restatements"), after the file is in place.
    plays = [name for name in everything if name.startswith("plays/")]
    assert plays
    marks = sorted(name for name in everything if name.startswith("restatements/"))
    assert marks == sorted(mark for name in plays for mark in late_marks(name))


def late_marks(plays_key: str) -> list[str]:
    _, dt, hour, name = plays_key.split("/")
    date, hh, stem = dt.removeprefix("dt="), hour.removeprefix("hour="), name.removesuffix(".parquet")
    return [f"restatements/hour/{date}T{hh}/{stem}", f"restatements/day/{date}/{hh}-{stem}"]


def test_a_restart_from_the_checkpoint_neither_loses_nor_duplicates(spark, vectors, brokers, each_lake):
    from conftest import jars
    from top_songs_stream.job import start
    from top_songs_stream.settings import JobSettings

    lake = each_lake
    topic = fresh_topic()
    settings = JobSettings(
        brokers=brokers, topic=topic, lake_uri=lake.uri, regions=vectors["regions"],
        checkpoint=lake.checkpoint, once=True, state_partitions=2, jars=jars(),
    )
    split = 3  # the first delivery of the duplicated event_id before the stop, its duplicate after
    assert vectors["dedup"]["spark_drops"][0]["offset"] >= split

    produce_vectors(vectors, topic, 0, split)
    start(spark, settings).awaitTermination()
    first = lake.view()
    assert len(first["rows"]) == 2 and len(first["files"]) == 1

    # Crash after publishing, before the commit: Spark re-runs batch 0 on the next start.
    commits = sorted(
        (name for name in lake.files("_checkpoints/spark-stream/commits") if name.rsplit("/", 1)[1].isdigit()),
        key=lambda name: int(name.rsplit("/", 1)[1]),
    )
    lake.delete(commits[-1])
    lake.delete(commits[-1].replace("/commits/", "/commits/.") + ".crc")  # the local FS's checksum, if any
    published = lake.files("plays")

    produce_vectors(vectors, topic, split)
    start(spark, settings).awaitTermination()
    assert_lake_matches(lake, vectors, topic)
    now = lake.files("plays")
    assert all(now[name] == mtime for name, mtime in published.items()), "a published file was written again"
