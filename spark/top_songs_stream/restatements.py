"""Restatement marks (docs/contracts.md, "Restatements"; src/domain/restatements.ts): a plays file written into a
window already closed marks that window, so that the next scheduled chart run recomputes it.

  restatements/hour/<YYYY-MM-DDTHH>/<plays file name>
  restatements/day/<YYYY-MM-DD>/<HH>-<plays file name>

Written after the plays file is in place, under keys that depend only on the file, so a re-run of a batch writes
the same marks.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

# The chart rules' late-play grace (LATE_PLAY_GRACE_MS in src/domain/charts.ts, held equal by a unit test) and the
# minute a writer marks early, for a clock behind the chart job's (WRITER_CLOCK_ALLOWANCE_MS).
RESTATEMENT_GRACE_SECONDS = 300
WRITER_CLOCK_ALLOWANCE_SECONDS = 60


def closed_to_writers(window_end: datetime, now: datetime) -> bool:
    return now >= window_end + timedelta(seconds=RESTATEMENT_GRACE_SECONDS - WRITER_CLOCK_ALLOWANCE_SECONDS)


def mark_keys(dt: str, hour: str, stem: str, now: datetime) -> list[str]:
    """The marks a plays file of hour `hour` of date `dt` (UTC), in place by `now`, needs."""
    hour_start = datetime.fromisoformat(f"{dt}T{hour}:00:00+00:00")
    day_start = datetime.fromisoformat(f"{dt}T00:00:00+00:00")
    keys = []
    if closed_to_writers(hour_start + timedelta(hours=1), now):
        keys.append(f"restatements/hour/{dt}T{hour}/{stem}")
    if closed_to_writers(day_start + timedelta(days=1), now):
        keys.append(f"restatements/day/{dt}/{hour}-{stem}")
    return keys


def mark_body(plays_key: str, now: datetime) -> bytes:
    marked_at = now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return (json.dumps({"plays_file": plays_key, "marked_at": marked_at}, separators=(",", ":")) + "\n").encode()
