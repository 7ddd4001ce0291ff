"""For bench/spark.ts: runs the Spark job `--once` over a topic, timing the session start and each run apart.

    python bench/spark-once.py <brokers> <topic> <folder> <runs> <driver memory>

Starts one local Spark session (the JVM), then runs the job `runs` times over the whole topic, each into a
fresh lake and checkpoint under <folder> (`<folder>/lake-<n>`), and prints one JSON object on stdout:
{"session_s": …, "runs_s": [...]}. Needs PYTHONPATH=spark and TOP_SONGS_SPARK_JARS (as spark/run.sh sets)."""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from pathlib import Path

from top_songs_stream.job import start
from top_songs_stream.session import build_session
from top_songs_stream.settings import JobSettings

brokers, topic, folder, runs, driver_memory = sys.argv[1:6]
jars_dir = os.environ.get("TOP_SONGS_SPARK_JARS", "")
settings = JobSettings(
    brokers=brokers, topic=topic, lake_uri="", regions=["us", "gb", "de", "fr", "br", "mx", "jp", "in"],
    checkpoint="", once=True, driver_memory=driver_memory,
    jars=sorted(glob.glob(os.path.join(jars_dir, "*.jar"))) if jars_dir else [],
)
started = time.perf_counter()
spark = build_session(settings)
session_s = time.perf_counter() - started
runs_s = []
try:
    for run in range(int(runs)):
        lake = Path(folder) / f"lake-{run}"
        settings.lake_uri = str(lake)
        settings.checkpoint = (lake / "_checkpoints/spark-stream").resolve().as_uri()
        started = time.perf_counter()
        start(spark, settings).awaitTermination()
        runs_s.append(time.perf_counter() - started)
finally:
    spark.stop()
print(json.dumps({"session_s": session_s, "runs_s": runs_s}))
