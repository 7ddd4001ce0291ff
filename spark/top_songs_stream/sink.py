"""The sink: each micro-batch into plays/ Parquet and rejects/ JSON lines (docs/spark.md).

Exactly once into a lake that readers list rather than read through a manifest:
- each micro-batch is written by foreachBatch into `_staging/spark-stream/batch-<id>/` (never listed by
  the chart job), then every file is *renamed* into place under a name that depends only on the batch's
  content: `plays/dt=…/hour=…/spark-<topic>-<partition>-<first offset, 12 digits>.parquet` (one file per
  UTC hour and source partition, like the lake-writer) and `rejects/dt=…/spark-<topic>-<partition>-<first
  offset>.jsonl`;
- Spark records a batch's offsets before running it and commits it after foreachBatch returns; a batch that
  failed is re-run after a restart with the same offsets and the same dedup state version, so it produces
  the same rows under the same names: names already in place are kept, missing ones are moved in;
- a rename is atomic on a local file system and on S3 (a copy appears whole), so a reader never sees a
  partial file, and the staging folder of a failed attempt is never under plays/.
There is no `_spark_metadata` (that belongs to Spark's file sink, which this job does not use).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .log import say
from .restatements import mark_body, mark_keys
from .transform import play_columns, reject_lines

WRITER = "spark"


def file_name(topic: str, partition: int, first_offset: int, extension: str) -> str:
    return f"{WRITER}-{topic}-{partition}-{first_offset:012d}.{extension}"


class LakeBatchWriter:
    """foreachBatch: stage with Spark, then rename each file into its content-derived name."""

    def __init__(self, root: str):
        self.root = root

    def _fs(self, spark: SparkSession):
        jvm = spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(self.root)
        return jvm, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.monotonic()
        spark = batch.sparkSession
        jvm, fs = self._fs(spark)
        Path_ = jvm.org.apache.hadoop.fs.Path
        staging = f"{self.root}/_staging/spark-stream/batch-{batch_id}"
        fs.delete(Path_(staging), True)
        batch = batch.persist()
        try:
            plays = play_columns(batch.filter("valid")).withColumns(
                {
                    "dt": F.date_format("played_at", "yyyy-MM-dd"),
                    "hour": F.date_format("played_at", "HH"),
                    "_sp": F.col("source_partition"),
                }
            )
            play_groups = (
                plays.groupBy("dt", "hour", "source_topic", "source_partition")
                .agg(F.min("source_offset").alias("first"), F.count("*").alias("rows"))
                .collect()
            )
            rejects = reject_lines(batch.filter(~F.col("valid"))).withColumn("_sp", F.col("partition"))
            reject_groups = (
                rejects.groupBy("dt", "topic", "partition")
                .agg(F.min("offset").alias("first"), F.count("*").alias("rows"))
                .collect()
            )
            published = 0
            marks = 0
            if play_groups:
                (
                    plays.repartition("dt", "hour", "_sp")
                    .sortWithinPartitions("dt", "hour", "_sp", "source_offset")
                    .write.partitionBy("dt", "hour", "_sp")
                    .option("compression", "zstd")
                    .parquet(f"{staging}/plays")
                )
                for g in play_groups:
                    source = f"{staging}/plays/dt={g['dt']}/hour={g['hour']}/_sp={g['source_partition']}"
                    target = (
                        f"{self.root}/plays/dt={g['dt']}/hour={g['hour']}/"
                        + file_name(g["source_topic"], g["source_partition"], g["first"], "parquet")
                    )
                    published += self._publish(fs, Path_, source, "*.parquet", target)
                    # After the file is in place, and again on a re-run (a mark may be what the last attempt
                    # did not get to): a closed window marks itself for restatement.
                    marks += self._mark(fs, Path_, g, target)
            if reject_groups:
                (
                    rejects.repartition("dt", "_sp")
                    .sortWithinPartitions("dt", "_sp", "offset")
                    .select("line", "dt", "_sp")
                    .write.partitionBy("dt", "_sp")
                    .text(f"{staging}/rejects")
                )
                for g in reject_groups:
                    source = f"{staging}/rejects/dt={g['dt']}/_sp={g['partition']}"
                    target = f"{self.root}/rejects/dt={g['dt']}/" + file_name(
                        g["topic"], g["partition"], g["first"], "jsonl"
                    )
                    published += self._publish(fs, Path_, source, "part-*", target)
            fs.delete(Path_(staging), True)
            rows = sum(g["rows"] for g in play_groups)
            rejected = sum(g["rows"] for g in reject_groups)
            say(
                f"batch {batch_id}: {rows} plays in {len(play_groups)} files, {rejected} rejects in "
                f"{len(reject_groups)} files ({published} new), {marks} restatement marks "
                f"in {time.monotonic() - started:.1f} s"
            )
        finally:
            batch.unpersist()

    def _mark(self, fs, Path_, group, target: str) -> int:
        now = datetime.now(timezone.utc)
        stem = target.rsplit("/", 1)[1].removesuffix(".parquet")
        keys = mark_keys(group["dt"], group["hour"], stem, now)
        plays_key = target[len(self.root) + 1:]
        for key in keys:
            mark = Path_(f"{self.root}/{key}")
            out = fs.create(mark, True)
            try:
                out.write(bytearray(mark_body(plays_key, now)))
            finally:
                out.close()
            crc = Path_(mark.getParent(), f".{mark.getName()}.crc")
            if fs.exists(crc):  # the local file system's checksum; readers need none
                fs.delete(crc, False)
        return len(keys)

    @staticmethod
    def _publish(fs, Path_, source_dir: str, pattern: str, target: str) -> int:
        staged = [s.getPath() for s in (fs.globStatus(Path_(f"{source_dir}/{pattern}")) or [])]
        staged = [p for p in staged if not p.getName().startswith(".")]
        if len(staged) != 1:
            raise RuntimeError(f"expected one staged file in {source_dir}, found {len(staged)}")
        destination = Path_(target)
        if fs.exists(destination):
            # A re-run of a batch whose earlier attempt already published this name: same rows.
            return 0
        fs.mkdirs(destination.getParent())
        if not fs.rename(staged[0], destination):
            raise RuntimeError(f"could not rename {staged[0]} to {target}")
        crc = Path_(destination.getParent(), f".{destination.getName()}.crc")
        if fs.exists(crc):  # the local file system's checksum, renamed along; readers need none
            fs.delete(crc, False)
        return 1
