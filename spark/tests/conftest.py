"""Shared fixtures: one local Spark session for the whole run (10–20 s to start), the golden vectors, the
broker and the lakes (a folder, or the S3 server's bucket: lakes.py), and what the vectors expect of a lake."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "test/vectors/plays.json").read_text(encoding="utf-8"))

BROKERS = os.environ.get("KAFKA_BROKERS")
# CI sets TOP_SONGS_REQUIRE_KAFKA=1: there a missing broker fails the Kafka tests instead of skipping them.
KAFKA_REQUIRED = os.environ.get("TOP_SONGS_REQUIRE_KAFKA") == "1"
NEEDS_KAFKA = [
    pytest.mark.kafka,
    pytest.mark.skipif(
        not BROKERS and not KAFKA_REQUIRED,
        reason="KAFKA_BROKERS is not set: start the broker with `npm run services:up -- kafka`",
    ),
]

# The plays/ columns and their DuckDB types, in the contract's order (docs/contracts.md).
CONTRACT_TYPES = {
    "event_id": "VARCHAR", "user_id": "VARCHAR", "song_id": "VARCHAR", "region": "VARCHAR",
    "played_at": "TIMESTAMP WITH TIME ZONE", "ms_played": "INTEGER", "device": "VARCHAR",
    "session_id": "VARCHAR", "source_topic": "VARCHAR", "source_partition": "INTEGER", "source_offset": "BIGINT",
}


def jars() -> list[str]:
    folder = os.environ.get("TOP_SONGS_SPARK_JARS")
    return sorted(glob.glob(os.path.join(folder, "*.jar"))) if folder else []


@pytest.fixture(scope="session")
def vectors() -> dict:
    return VECTORS


@pytest.fixture(scope="session")
def spark():
    from top_songs_stream.session import build_session
    from top_songs_stream.settings import JobSettings, s3a_settings

    settings = JobSettings(
        brokers="", topic="", lake_uri="", regions=[], checkpoint="", driver_memory="1g", jars=jars(),
        state_partitions=2, s3=s3a_settings(dict(os.environ)) if os.environ.get("AWS_ENDPOINT_URL_S3") else {},
    )
    session = build_session(settings, app_name="top-songs-stream-tests")
    yield session
    session.stop()


@pytest.fixture
def brokers() -> str:
    if not BROKERS:
        pytest.fail("TOP_SONGS_REQUIRE_KAFKA=1 but KAFKA_BROKERS is not set")
    return BROKERS


@pytest.fixture
def lake(spark, tmp_path):
    """The S3 server's lake when it is configured (as in CI), else a folder."""
    from lakes import make_lake, s3_configured

    yield from make_lake("s3" if s3_configured() else "folder", spark, tmp_path)


@pytest.fixture(params=["folder", "s3"])
def each_lake(request, spark, tmp_path):
    """A folder lake, then an S3 one (skipped without the S3 server, failed with TOP_SONGS_REQUIRE_S3=1)."""
    from lakes import make_lake

    yield from make_lake(request.param, spark, tmp_path)


CREATED_TOPICS: list[str] = []


def fresh_topic() -> str:
    topic = f"test-spark-{uuid.uuid4().hex[:8]}.song-plays"
    CREATED_TOPICS.append(topic)
    return topic


@pytest.fixture(scope="session", autouse=True)
def _delete_created_topics():
    """The run's topics go at its end (they keep their records forever otherwise: createReplayTopic)."""
    yield
    if BROKERS and CREATED_TOPICS:
        node("spark/tests/delete_topics.ts", *CREATED_TOPICS)


def produce(topic: str, partitions: int, records: list[dict]) -> None:
    """Produces `{partition, timestamp, key, value}` records in order per partition (produce_records.ts)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(records, file)
        file.flush()
        node("spark/tests/produce_records.ts", topic, str(partitions), file.name)


def job_command(lake_uri: str, *args: str) -> tuple[list[str], dict]:
    """`npm run spark:stream -- <args>` (spark/run.sh) into `lake_uri`, with the default regions."""
    env = {**os.environ, "KAFKA_BROKERS": BROKERS or "", "LAKE_URI": lake_uri, "SPARK_DRIVER_MEMORY": "1g"}
    env.pop("REGIONS", None)
    return ["bash", "spark/run.sh", *args], env


def run_job(lake_uri: str, *args: str) -> None:
    command, env = job_command(lake_uri, *args)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]


def play_value(number: int, played_at: datetime, region: str = "us") -> str:
    """A valid play event's JSON, its event_id derived from `number`."""
    return json.dumps({
        "event_id": f"5a1e0000-0000-4000-8000-{number:012d}", "user_id": f"user-{number % 17}",
        "song_id": f"song-{number % 23:06d}", "region": region,
        "played_at": played_at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "ms_played": 30_000 + number,
    })


def node(*args: str, env: dict | None = None) -> str:
    """Runs a Node 24 script of the project (DuckDB and Kafka clients live in node_modules)."""
    import shutil

    binary = shutil.which("node", path=f"{ROOT}/node_modules/.bin:{os.environ.get('PATH', '')}")
    if binary is None:
        pytest.fail("node is not on PATH (the Spark tests use Node 24 for DuckDB and Kafka helpers)")
    result = subprocess.run(
        [binary, *args], cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        pytest.fail(f"node {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def lake_view(lake_dir: str) -> dict:
    """The lake as the TypeScript chart job sees it (DuckDB over plays/**/*.parquet)."""
    return json.loads(node("spark/tests/lake_probe.ts", lake_dir))


def vector_frame(spark, vectors: dict, topic: str, messages: list | None = None):
    """The vectors' messages as the Kafka source would deliver them (a static DataFrame)."""
    from datetime import datetime, timezone

    from top_songs_stream.schema import KAFKA_SCHEMA

    rows = [
        (m["key"], m["value"], topic, m["partition"], m["offset"],
         datetime.fromtimestamp(m["timestamp"] / 1000, timezone.utc))
        for m in (vectors["messages"] if messages is None else messages)
    ]
    return spark.createDataFrame(rows, KAFKA_SCHEMA)


def expected_rows(vectors: dict, topic: str, writer: str) -> list[dict]:
    """The vectors' rows for one writer: the lake-writer keeps every delivery, Spark drops spark_drops."""
    drops = {(d["partition"], d["offset"]) for d in vectors["dedup"]["spark_drops"]}
    return [
        {**row, "source_topic": topic}
        for row in vectors["expected_rows"]
        if writer != "spark" or (row["source_partition"], row["source_offset"]) not in drops
    ]


def expected_files(vectors: dict, topic: str, writer: str, dedup: bool) -> dict[str, list[int]]:
    """Every file the vectors expect of one batch, relative to the lake, with the offsets it holds in order;
    `dedup`: without the deliveries the Spark job's dedup drops."""
    drops = {(d["partition"], d["offset"]) for d in vectors["dedup"]["spark_drops"]} if dedup else set()

    def name(file: dict, extension: str) -> str:
        return f"{writer}-{topic}-{file['partition']}-{file['first_offset']:012d}.{extension}"

    plays = {
        f"plays/dt={f['dt']}/hour={f['hour']}/{name(f, 'parquet')}":
            [o for o in f["offsets"] if (f["partition"], o) not in drops]
        for f in vectors["play_files"]
    }
    rejects = {f"rejects/dt={f['dt']}/{name(f, 'jsonl')}": f["offsets"] for f in vectors["reject_files"]}
    return {**plays, **rejects}


def files_with_offsets(lake_dir: str, view: dict) -> dict[str, list[int]]:
    """The files of a lake folder (as expected_files states them), from lake_view's rows and the rejects."""
    found: dict[str, list[int]] = {}
    for row in view["file_rows"]:
        found.setdefault(f"plays/{row['file']}", []).append(row["source_offset"])
    root = Path(lake_dir) / "rejects"
    for path in sorted(root.rglob("*.jsonl")) if root.exists() else []:
        lines = path.read_text(encoding="utf-8").splitlines()
        found[f"rejects/{path.relative_to(root)}"] = [json.loads(line)["offset"] for line in lines if line]
    return found


def assert_contract_schema(view: dict) -> None:
    """plays/ has the contract's columns, in order, with its DuckDB types and Parquet physical types."""
    assert [(t["column_name"], t["column_type"]) for t in view["types"]] == list(CONTRACT_TYPES.items())
    assert {c["repetition_type"] for c in view["schema"]} == {"OPTIONAL"}
    played_at = next(c for c in view["schema"] if c["name"] == "played_at")
    assert played_at["type"] == "INT64"
    assert "isAdjustedToUTC=1" in played_at["logical_type"] and "MICROS=MicroSeconds()" in played_at["logical_type"]
    assert [c["compression"] for c in view["codecs"]] == ["ZSTD"]


def expected_rejects(vectors: dict, topic: str) -> list[dict]:
    values = {(m["partition"], m["offset"]): m["value"] for m in vectors["messages"]}
    return [
        {"topic": topic, **reject, "value": values[(reject["partition"], reject["offset"])]}
        for reject in vectors["expected_rejects"]
    ]


def comparable_errors(errors: list[dict]) -> list[dict]:
    """A `(record)` message is writer-specific (the parser's text): the vectors hold null for it."""
    return [
        {"field": e["field"], "message": None if e["field"] == "(record)" else e["message"]} for e in errors
    ]


def read_rejects(lake_dir: str) -> tuple[list[str], list[dict]]:
    root = Path(lake_dir) / "rejects"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*.jsonl")) if root.exists() else []
    lines = [json.loads(line) for f in files for line in (root / f).read_text(encoding="utf-8").splitlines() if line]
    lines.sort(key=lambda r: (r["partition"], r["offset"]))
    return files, lines


def pytest_sessionfinish(session, exitstatus):
    """A run that passed no test is a failure (pytest's own exit 5 for "no tests collected" included)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    if exitstatus in (0, 5) and passed == 0:
        session.exitstatus = 1
