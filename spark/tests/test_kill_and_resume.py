"""(c) The job killed mid-stream: `npm run spark:stream` with a 1 s processing-time trigger and a small
--max-offsets-per-trigger, so that the records take six micro-batches. Once the checkpoint shows a batch
committed and a later one under way that is not the last, the whole process group (bash, Python, the JVM) gets
SIGKILL. A restart from the same checkpoint (--once) must leave every record in the lake exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

from conftest import NEEDS_KAFKA, ROOT, fresh_topic, job_command, play_value, produce, run_job

pytestmark = NEEDS_KAFKA

PARTITIONS = 3
COUNT = 240
PER_TRIGGER = 40
START = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
RECEIVED_MS = int((START + timedelta(hours=1)).timestamp() * 1000)


def records() -> list[dict]:
    return [
        {"partition": n % PARTITIONS, "timestamp": RECEIVED_MS, "key": None,
         "value": play_value(n, START + timedelta(seconds=10 * n))}
        for n in range(COUNT)
    ]


def batches(lake, log: str) -> list[int]:
    names = lake.files(f"_checkpoints/spark-stream/{log}")
    return sorted(int(name.rsplit("/", 1)[1]) for name in names if name.rsplit("/", 1)[1].isdigit())


def consumed_through(lake, batch: int) -> int:
    """How many records the batches up to `batch` read: the end offsets of its offset-log entry, summed."""
    ends = json.loads(lake.read(f"_checkpoints/spark-stream/offsets/{batch}").splitlines()[-1])
    return sum(sum(partitions.values()) for partitions in ends.values())


def wait_for_a_batch_in_flight(lake, job: subprocess.Popen, timeout: float = 300) -> None:
    """Until one batch is committed and a later one, not the last, has its offsets logged but no commit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert job.poll() is None, f"the job ended ({job.returncode}) before it could be killed"
        commits, offsets = batches(lake, "commits"), batches(lake, "offsets")
        if commits and offsets and offsets[-1] > commits[-1] and consumed_through(lake, offsets[-1]) < COUNT:
            return
        time.sleep(0.2)  # polling the checkpoint, not a readiness delay
    raise AssertionError(f"no batch in flight within {timeout} s (commits {commits}, offsets {offsets})")


def kill_group(job: subprocess.Popen) -> None:
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(job.pid, 0)  # the JVM is in the group too: wait until nothing of it is left
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("the killed job's processes are still there")


def test_a_job_killed_mid_stream_resumes_without_loss_or_duplicates(brokers, lake, tmp_path):
    topic = fresh_topic()
    produce(topic, PARTITIONS, records())
    expected = sorted((n % PARTITIONS, n // PARTITIONS, json.loads(play_value(n, START))["event_id"]) for n in range(COUNT))

    command, env = job_command(
        lake.uri, "--topic", topic, "--trigger-seconds", "1", "--max-offsets-per-trigger", str(PER_TRIGGER)
    )
    with open(tmp_path / "job.log", "w") as log:
        job = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            wait_for_a_batch_in_flight(lake, job)
        finally:
            kill_group(job)

    committed = batches(lake, "commits")[-1]
    before = lake.view()["rows"]
    assert 0 < len(before) < COUNT and consumed_through(lake, committed) < COUNT, (committed, len(before))

    run_job(lake.uri, "--once", "--topic", topic, "--max-offsets-per-trigger", str(PER_TRIGGER))
    rows = lake.view()["rows"]
    assert sorted((r["source_partition"], r["source_offset"], r["event_id"]) for r in rows) == expected
    assert batches(lake, "commits")[-1] > committed + 1, "the restart should have needed several batches"
    assert not [name for name in lake.files() if name.startswith("_staging/")]
