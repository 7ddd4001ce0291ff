"""The job's progress lines, on stderr (stdout stays free for whoever runs it)."""

import sys


def say(message: str) -> None:
    print(f"spark-stream: {message}", file=sys.stderr, flush=True)
