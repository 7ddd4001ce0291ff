#!/usr/bin/env bash
# Installs schemathesis for the HTTP API's contract test, once, into a cache folder outside the checkout:
#   ${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/schemathesis-<version>/venv   (scripts/schemathesis/requirements.txt)
# Idempotent: a stamp holds the hash of requirements.txt; when it matches, nothing is done.
# Prints nothing on stdout; progress goes to stderr. Needs python3 (3.10 or newer, with venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's/^schemathesis==\(.*\)$/\1/p' "$here/requirements.txt")"
if [ -z "$version" ]; then
  echo "scripts/schemathesis/setup.sh: requirements.txt must pin schemathesis==<version>" >&2
  exit 1
fi
home="${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}/schemathesis-$version"
stamp="$home/.ready"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$home/venv/bin/st" ]; then
  exit 0
fi

say() { echo "schemathesis/setup: $*" >&2; }
started=$SECONDS
mkdir -p "$home"
rm -f "$stamp"
say "schemathesis $version in $home/venv"
if [ ! -x "$home/venv/bin/python" ]; then
  python3 -m venv "$home/venv" >&2
fi
"$home/venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$here/requirements.txt" >&2
"$home/venv/bin/st" --version >&2
echo "$want" > "$stamp"
say "ready in $((SECONDS - started)) s"
