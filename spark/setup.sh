#!/usr/bin/env bash
# Installs what the Spark job needs, once, into a cache folder outside the checkout:
#   ${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/spark-<version>/venv   pyspark + pytest (spark/requirements.txt)
#   ${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/spark-<version>/jars   the Kafka source and S3A (spark/pom.xml),
#                                                                     minus every jar pyspark/jars already has
# Idempotent: a stamp holds the hash of requirements.txt and pom.xml; when it matches, nothing is done.
# Prints nothing on stdout; progress goes to stderr. Needs python3 (3.11), Java 17 and Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
if ! grep -qx "pyspark==$version" "$here/requirements.txt"; then
  echo "spark/setup.sh: requirements.txt must pin pyspark==$version, the <spark.version> of pom.xml" >&2
  exit 1
fi
cache="${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}"
home="$cache/spark-$version"
stamp="$home/.ready"
want="$(cat "$here/requirements.txt" "$here/pom.xml" | sha256sum | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$home/venv/bin/python" ] && [ -d "$home/jars" ]; then
  exit 0
fi

say() { echo "spark/setup: $*" >&2; }
started=$SECONDS
mkdir -p "$home"
rm -f "$stamp"

say "Python venv with $(tr '\n' ' ' < <(grep -v '^#' "$here/requirements.txt")) in $home/venv"
if [ ! -x "$home/venv/bin/python" ]; then
  python3 -m venv "$home/venv" >&2
fi
# From the cache folder: pip's build of the pyspark sdist failed in a subprocess when started from the checkout.
(cd "$home" && "$home/venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
  -r "$here/requirements.txt" >&2)

say "jars of spark/pom.xml (Maven) into $home/jars"
staging="$home/jars.staging"
rm -rf "$staging"
mkdir -p "$staging"
mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging" >&2

pyspark_jars="$("$home/venv/bin/python" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')"
# The artifact name of a jar file: everything before "-<version>.jar".
artifact() { basename "$1" | sed -E 's/-[0-9][^-]*(-[A-Za-z0-9.]+)*\.jar$//'; }
declare -A bundled=()
for jar in "$pyspark_jars"/*.jar; do bundled["$(artifact "$jar")"]="$(basename "$jar")"; done
kept=0
for jar in "$staging"/*.jar; do
  name="$(artifact "$jar")"
  if [ -n "${bundled[$name]:-}" ]; then
    say "  drop $(basename "$jar") (pyspark has ${bundled[$name]})"
    rm -f "$jar"
  else
    kept=$((kept + 1))
  fi
done
rm -rf "$home/jars"
mv "$staging" "$home/jars"
say "kept $kept jars: $(cd "$home/jars" && ls | tr '\n' ' ')"

echo "$want" > "$stamp"
say "ready in $((SECONDS - started)) s"
