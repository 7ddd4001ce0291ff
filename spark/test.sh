#!/usr/bin/env bash
# Sets up (cached) and runs the Spark job's tests: `bash spark/test.sh [pytest args]`.
# The Kafka tests need KAFKA_BROKERS (`npm run services:up -- kafka`) and use the S3 server when AWS_ENDPOINT_URL_S3
# is set (`npm run services:up -- s3`); with TOP_SONGS_REQUIRE_KAFKA=1 / TOP_SONGS_REQUIRE_S3=1 they fail rather
# than skip without them. A run that passes no test exits non-zero (spark/tests/conftest.py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../scripts/node24.sh
source "$root/scripts/node24.sh"
export PATH="$root/node_modules/.bin:$PATH"
bash "$here/setup.sh"
version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
home="${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/spark-$version"
export TOP_SONGS_SPARK_JARS="$home/jars"
cd "$here"
exec "$home/venv/bin/python" -m pytest -p no:cacheprovider "$@"
