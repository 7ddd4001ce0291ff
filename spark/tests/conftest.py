"""Shared fixtures: one local Spark session for the whole run (10–20 s to start), the golden vectors."""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "test/vectors/plays.json").read_text(encoding="utf-8"))


def jars() -> list[str]:
    folder = os.environ.get("TOP_SONGS_SPARK_JARS")
    return sorted(glob.glob(os.path.join(folder, "*.jar"))) if folder else []


@pytest.fixture(scope="session")
def vectors() -> dict:
    return VECTORS


@pytest.fixture(scope="session")
def spark():
    from top_songs_stream.job import JobSettings, build_session

    settings = JobSettings(
        brokers="", topic="", lake_uri="", regions=[], checkpoint="", driver_memory="1g", jars=jars(),
        state_partitions=2,
    )
    session = build_session(settings, app_name="top-songs-stream-tests")
    yield session
    session.stop()


def node(*args: str, env: dict | None = None) -> str:
    """Runs a Node 24 script of the project (DuckDB and Kafka clients live in node_modules)."""
    import shutil
    import subprocess

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
