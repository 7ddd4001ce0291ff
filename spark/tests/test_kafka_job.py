"""(b) and (c): the job against the running broker (KAFKA_BROKERS; `npm run stack:up -- kafka`).

(b) the vectors produced to a fresh topic, `npm run spark:stream -- --once` (spark/run.sh) into a temp lake:
    the lake holds exactly the vectors' Spark rows (the duplicate delivery dropped) and rejects;
(c) half the vectors, a run, a crash simulated after the batch published its files but before Spark
    committed it (its commit-log entry removed), the other half, a run from the same checkpoint: every
    row exactly once, the re-run batch published nothing twice, the duplicate across runs dropped."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, comparable_errors, expected_rejects, expected_rows, lake_view, node, read_rejects

BROKERS = os.environ.get("KAFKA_BROKERS")
# CI sets TOP_SONGS_REQUIRE_KAFKA=1: there a missing broker fails these tests instead of skipping them.
REQUIRED = os.environ.get("TOP_SONGS_REQUIRE_KAFKA") == "1"
pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(
        not BROKERS and not REQUIRED,
        reason="KAFKA_BROKERS is not set: start the broker with `npm run stack:up -- kafka`",
    ),
]


@pytest.fixture(autouse=True)
def _broker_configured():
    if not BROKERS:
        pytest.fail("TOP_SONGS_REQUIRE_KAFKA=1 but KAFKA_BROKERS is not set")


def fresh_topic() -> str:
    return f"test-spark-{uuid.uuid4().hex[:8]}.song-plays"


def produce(topic: str, start: int, end: int | None = None) -> None:
    node("spark/tests/produce_vectors.ts", topic, str(start), *([] if end is None else [str(end)]))


def assert_lake_matches(lake: Path, vectors: dict, topic: str) -> None:
    view = lake_view(str(lake))
    assert view["rows"] == expected_rows(vectors, topic, "spark")
    _, lines = read_rejects(str(lake))
    assert [{**line, "errors": comparable_errors(line["errors"])} for line in lines] == expected_rejects(vectors, topic)


def test_the_cli_writes_the_vectors_once(vectors, tmp_path):
    topic = fresh_topic()
    produce(topic, 0)
    lake = tmp_path / "lake"
    env = {**os.environ, "KAFKA_BROKERS": BROKERS, "LAKE_URI": str(lake), "SPARK_DRIVER_MEMORY": "1g"}
    env.pop("REGIONS", None)
    result = subprocess.run(
        ["bash", "spark/run.sh", "--once", "--topic", topic], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert_lake_matches(lake, vectors, topic)
    # The checkpoint lives in the lake, beside (never under) plays/ and rejects/.
    assert (lake / "_checkpoints/spark-stream/commits/0").exists()
    assert not any((lake / "plays").rglob("_spark_metadata"))
    assert not (lake / "_staging/spark-stream").exists() or not any((lake / "_staging/spark-stream").iterdir())


def test_a_restart_from_the_checkpoint_neither_loses_nor_duplicates(spark, vectors, tmp_path):
    from conftest import jars
    from top_songs_stream.job import JobSettings, start

    topic = fresh_topic()
    lake = tmp_path / "lake"
    settings = JobSettings(
        brokers=BROKERS, topic=topic, lake_uri=str(lake), regions=vectors["regions"],
        checkpoint=(lake / "_checkpoints/spark-stream").resolve().as_uri(), once=True,
        state_partitions=2, jars=jars(),
    )
    split = 3  # the first delivery of the duplicated event_id before the stop, its duplicate after
    assert vectors["dedup"]["spark_drops"][0]["offset"] >= split

    produce(topic, 0, split)
    start(spark, settings).awaitTermination()
    first = lake_view(str(lake))
    assert len(first["rows"]) == 2 and len(first["files"]) == 1

    # Crash after publishing, before the commit: Spark re-runs batch 0 on the next start.
    commits = sorted((lake / "_checkpoints/spark-stream/commits").glob("[0-9]*"), key=lambda p: int(p.name))
    commits[-1].unlink()
    (commits[-1].parent / f".{commits[-1].name}.crc").unlink(missing_ok=True)  # the local FS's checksum
    published = {p: p.stat().st_mtime_ns for p in (lake / "plays").rglob("*.parquet")}

    produce(topic, split)
    start(spark, settings).awaitTermination()
    assert_lake_matches(lake, vectors, topic)
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in published.items())


S3_ENDPOINT = os.environ.get("AWS_ENDPOINT_URL_S3")
S3_BUCKET = os.environ.get("TOP_SONGS_SPARK_S3_BUCKET", "top-songs-lake")


@pytest.mark.skipif(
    not S3_ENDPOINT, reason="AWS_ENDPOINT_URL_S3 is not set: start the S3 server with `npm run stack:up -- s3`"
)
def test_the_cli_writes_an_s3_lake_through_s3a(spark, vectors):
    """LAKE_URI s3://bucket/prefix → s3a:// against the S3-compatible server (path style, no TLS)."""
    from top_songs_stream.job import s3a_settings
    from top_songs_stream.schema import PLAY_COLUMNS

    topic = fresh_topic()
    produce(topic, 0)
    prefix = f"test-spark-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "KAFKA_BROKERS": BROKERS, "LAKE_URI": f"s3://{S3_BUCKET}/{prefix}", "SPARK_DRIVER_MEMORY": "1g"}
    env.pop("REGIONS", None)
    result = subprocess.run(
        ["bash", "spark/run.sh", "--once", "--topic", topic], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    for key, value in s3a_settings(dict(os.environ)).items():
        hadoop.set(key, value)
    root = f"s3a://{S3_BUCKET}/{prefix}"
    jvm = spark.sparkContext._jvm
    fs = jvm.org.apache.hadoop.fs.Path(root).getFileSystem(hadoop)
    listed = fs.listFiles(jvm.org.apache.hadoop.fs.Path(f"{root}/plays"), True)
    names = []
    while listed.hasNext():
        names.append(listed.next().getPath().toString()[len(root) + 1:])
    assert names and all(n.endswith(".parquet") and "/spark-" in n for n in names), names

    from test_validation import as_vector_row

    rows = (
        spark.read.option("recursiveFileLookup", "true").parquet(f"{root}/plays")
        .select(*PLAY_COLUMNS).orderBy("source_partition", "source_offset").collect()
    )
    assert [as_vector_row(r) for r in rows] == expected_rows(vectors, topic, "spark")
    fs.delete(jvm.org.apache.hadoop.fs.Path(root), True)
