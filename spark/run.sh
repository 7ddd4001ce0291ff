#!/usr/bin/env bash
# `npm run spark:stream -- [--once] [--topic T] [--trigger-seconds N] [--checkpoint URI] …`
# Installs the job's Python and jars once (spark/setup.sh, cached), then runs the streaming job with the
# venv's python and the connector jars. Settings come from the environment (see docs/spark.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
home="${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/spark-$version"
export TOP_SONGS_SPARK_JARS="$home/jars"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
# pyspark starts the JVM with the java on PATH (or JAVA_HOME): Spark 4.0 needs 17 or 21.
exec "$home/venv/bin/python" -m top_songs_stream "$@"
