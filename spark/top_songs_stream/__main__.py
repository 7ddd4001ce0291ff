"""CLI: python -m top_songs_stream [--topic T] [--trigger-seconds N] [--once] [--checkpoint URI] …

Settings from the environment, like the rest of the system: KAFKA_BROKERS (required), LAKE_URI (a folder,
default $TOP_SONGS_DATA_DIR/lake i.e. .data/lake, or s3://bucket/prefix), REGIONS (comma-separated, default
us,gb,de,fr,br,mx,jp,in), TOP_SONGS_NAMESPACE (prefixes the default topic), AWS_ENDPOINT_URL_S3,
AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (else S3A's default credential chain), and
TOP_SONGS_SPARK_JARS (a folder of jars for spark.jars; spark/run.sh sets it).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

from .job import LateRowAlarm, start
from .log import say
from .session import build_session
from .settings import JobSettings, lake_root, s3a_settings
from .validation import DEFAULT_REGIONS


def regions_from(raw: str | None) -> list[str]:
    codes = [code.strip() for code in (raw or "").split(",") if code.strip()] or list(DEFAULT_REGIONS)
    for code in codes:
        if not re.fullmatch(r"[a-z]{2,8}", code) or code == "global":
            raise SystemExit(f"REGIONS: bad region code {code!r} (2–8 lowercase letters, not 'global')")
    return codes


def parse_args(argv: list[str], env: dict[str, str]) -> JobSettings:
    namespace = env.get("TOP_SONGS_NAMESPACE", "")
    parser = argparse.ArgumentParser(prog="npm run spark:stream --", description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default=f"{namespace}.song-plays" if namespace else "song-plays")
    parser.add_argument("--trigger-seconds", type=int, default=10, help="micro-batch interval (default 10)")
    parser.add_argument("--once", action="store_true", help="process what is available now, then stop")
    parser.add_argument("--checkpoint", help="a folder or s3://bucket/prefix; default <lake>/_checkpoints/spark-stream")
    parser.add_argument("--lake", default=env.get("LAKE_URI") or f"{env.get('TOP_SONGS_DATA_DIR', '.data')}/lake")
    parser.add_argument("--watermark", default="1 hour",
                        help="how long (processing time) an event_id is remembered for dedup; 'none' disables")
    parser.add_argument("--state-partitions", type=int, default=4,
                        help="dedup state partitions; fixed by the checkpoint's first run")
    parser.add_argument("--max-offsets-per-trigger", type=int)
    parser.add_argument("--driver-memory", default=env.get("SPARK_DRIVER_MEMORY", "2g"))
    args = parser.parse_args(argv)

    brokers = env.get("KAFKA_BROKERS")
    if not brokers:
        raise SystemExit("KAFKA_BROKERS is not set (e.g. 127.0.0.1:9092; `npm run services:up` prints it)")
    root = lake_root(args.lake)
    # The checkpoint is a URI like the lake: s3:// must become s3a:// (Hadoop has no s3:// file system here).
    checkpoint = lake_root(args.checkpoint) if args.checkpoint else f"{root}/_checkpoints/spark-stream"
    jars_dir = env.get("TOP_SONGS_SPARK_JARS")
    return JobSettings(
        brokers=brokers,
        topic=args.topic,
        lake_uri=args.lake,
        regions=regions_from(env.get("REGIONS")),
        checkpoint=checkpoint,
        trigger_seconds=args.trigger_seconds,
        once=args.once,
        watermark=None if args.watermark in ("none", "0", "") else args.watermark,
        state_partitions=args.state_partitions,
        max_offsets_per_trigger=args.max_offsets_per_trigger,
        driver_memory=args.driver_memory,
        jars=sorted(glob.glob(os.path.join(jars_dir, "*.jar"))) if jars_dir else [],
        s3=s3a_settings(env) if any(uri.startswith("s3a://") for uri in (root, checkpoint)) else {},
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(sys.argv[1:] if argv is None else argv, dict(os.environ))
    spark = build_session(settings)
    spark.streams.addListener(LateRowAlarm())
    try:
        query = start(spark, settings)
        query.awaitTermination()
        say("stopped" if settings.once else "query ended")
        return 0
    except KeyboardInterrupt:
        say("interrupted; the next start resumes from the checkpoint")
        return 130
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
