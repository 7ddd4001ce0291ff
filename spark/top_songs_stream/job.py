"""The streaming query: Kafka → validate → dedup → plays/ Parquet and rejects/ JSON lines (docs/spark.md).

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

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQueryListener

from .schema import PLAY_COLUMNS, PLAYS_SCHEMA
from .validation import classify

WRITER = "spark"


def say(message: str) -> None:
    print(f"spark-stream: {message}", file=sys.stderr, flush=True)


@dataclass
class JobSettings:
    brokers: str
    topic: str
    lake_uri: str
    regions: list[str]
    checkpoint: str
    trigger_seconds: int = 10
    once: bool = False
    watermark: str = "1 hour"
    state_partitions: int = 4
    max_offsets_per_trigger: int | None = None
    driver_memory: str = "2g"
    jars: list[str] = field(default_factory=list)
    s3: dict[str, str] = field(default_factory=dict)


def lake_root(lake_uri: str) -> str:
    """LAKE_URI as Hadoop sees it: a folder becomes file:///abs/path, s3://bucket/prefix becomes s3a://."""
    if lake_uri.startswith("s3://"):
        return "s3a://" + lake_uri[len("s3://"):].rstrip("/")
    if lake_uri.startswith(("s3a://", "file://")):
        return lake_uri.rstrip("/")
    if "://" in lake_uri:
        raise ValueError(f'LAKE_URI "{lake_uri}" is neither a folder nor s3://bucket/prefix')
    return Path(lake_uri).resolve().as_uri()


def s3a_settings(env: dict[str, str]) -> dict[str, str]:
    """S3A for an S3-compatible server (AWS_ENDPOINT_URL_S3) or AWS itself (no endpoint: the default chain)."""
    conf = {"fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem"}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if endpoint:
        conf["fs.s3a.endpoint"] = endpoint
        conf["fs.s3a.path.style.access"] = "true"
        conf["fs.s3a.connection.ssl.enabled"] = str(urlparse(endpoint).scheme == "https").lower()
    if region:
        conf["fs.s3a.endpoint.region"] = region
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        conf["fs.s3a.aws.credentials.provider"] = (
            "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider"
            if env.get("AWS_SESSION_TOKEN")
            else "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
        )
        conf["fs.s3a.access.key"] = env["AWS_ACCESS_KEY_ID"]
        conf["fs.s3a.secret.key"] = env["AWS_SECRET_ACCESS_KEY"]
        if env.get("AWS_SESSION_TOKEN"):
            conf["fs.s3a.session.token"] = env["AWS_SESSION_TOKEN"]
    return conf


def build_session(settings: JobSettings, app_name: str = "top-songs-stream") -> SparkSession:
    builder = (
        SparkSession.builder.appName(app_name)
        .master(os.environ.get("SPARK_MASTER", "local[2]"))
        .config("spark.driver.memory", settings.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.parquet.compression.codec", "zstd")
        .config("spark.sql.shuffle.partitions", str(settings.state_partitions))
        .config("spark.sql.streaming.stateStore.providerClass",
                "org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider")
        # JSON.parse keeps the last of duplicate keys; VARIANT would otherwise refuse the whole value.
        .config("spark.sql.variant.allowDuplicateKeys", "true")
        .config("spark.sql.sources.partitionOverwriteMode", "static")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if settings.jars:
        builder = builder.config("spark.jars", ",".join(settings.jars))
    for key, value in settings.s3.items():
        builder = builder.config(f"spark.hadoop.{key}", value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "WARN"))
    return spark


def kafka_rows(spark: SparkSession, settings: JobSettings) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.brokers)
        .option("subscribe", settings.topic)
        # Ingest publishes each request in a Kafka transaction: read only committed ones, never an aborted
        # request's events (Kafka's default, read_uncommitted, would write them to the lake).
        .option("kafka.isolation.level", "read_committed")
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "false")
    )
    if settings.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(settings.max_offsets_per_trigger))
    return reader.load().select(
        F.col("key").cast("string").alias("key"),
        F.col("value").cast("string").alias("value"),
        "topic",
        "partition",
        "offset",
        "timestamp",
    )


def plays_and_rejects(rows: DataFrame, regions: list[str], watermark: str | None) -> DataFrame:
    """Validated rows, a valid event_id seen again within `watermark` of processing time dropped (rejects all
    kept: each has a key of its own)."""
    classified = classify(rows, regions).withColumn(
        "_dedup_key",
        F.when(F.col("valid"), F.col("event_id")).otherwise(
            F.concat_ws("/", F.lit("reject"), F.col("topic"), F.col("partition"), F.col("offset"))
        ),
    )
    if not watermark:
        return classified
    # Spark drops every row behind the watermark. On played_at or the Kafka timestamp that loses real records
    # (late plays, replayed topics, a backlog read unevenly across partitions), so the watermark is on
    # processing time instead: in a streaming query current_timestamp() is the micro-batch's start, one value
    # for all its rows (and the same on a re-run of the batch), while the watermark trails the previous
    # batch's start by `watermark`. No row is ever behind it; an event_id stays in the state for `watermark`
    # after the batch that first saw it (docs/decisions.md).
    return (
        classified.withColumn("_seen", F.current_timestamp())
        .withWatermark("_seen", watermark)
        .dropDuplicatesWithinWatermark(["_dedup_key"])
    )


def _nullable(column: str, never: object) -> F.Column:
    # nullif() keeps the value and makes the column nullable, so Parquet declares it OPTIONAL (the Kafka
    # source's partition/offset/topic are non-nullable, which Spark would write as REQUIRED).
    return F.expr(f"nullif({column}, {never!r})")


def play_columns(df: DataFrame) -> DataFrame:
    return df.select(
        *[F.col(name).cast(PLAYS_SCHEMA[name].dataType).alias(name) for name in PLAY_COLUMNS[:8]],
        _nullable("topic", "").alias("source_topic"),
        _nullable("partition", -1).cast("int").alias("source_partition"),
        _nullable("offset", -1).cast("bigint").alias("source_offset"),
    )


def reject_lines(df: DataFrame) -> DataFrame:
    return df.select(
        F.to_json(
            F.struct(
                F.col("topic"),
                F.col("partition"),
                F.col("offset"),
                F.col("received_at"),
                F.col("errors"),
                F.col("_value").alias("value"),
            )
        ).alias("line"),
        F.col("topic"),
        F.col("partition"),
        F.col("offset"),
        F.substring("received_at", 1, 10).alias("dt"),
    )


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
                f"{len(reject_groups)} files ({published} new) in {time.monotonic() - started:.1f} s"
            )
        finally:
            batch.unpersist()

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


class LateRowAlarm(StreamingQueryListener):
    """Says so when the dedup dropped rows behind its watermark: the processing-time watermark rules that out
    unless the machine's clock goes back by more than the window between two batches."""

    def onQueryStarted(self, event) -> None:
        pass

    def onQueryProgress(self, event) -> None:
        dropped = sum(op.numRowsDroppedByWatermark for op in event.progress.stateOperators)
        if dropped:
            say(f"ERROR: batch {event.progress.batchId} dropped {dropped} rows behind the dedup watermark")

    def onQueryIdle(self, event) -> None:
        pass

    def onQueryTerminated(self, event) -> None:
        pass


def start(spark: SparkSession, settings: JobSettings):
    root = lake_root(settings.lake_uri)
    rows = kafka_rows(spark, settings)
    output = plays_and_rejects(rows, settings.regions, settings.watermark)
    writer = (
        output.writeStream.queryName("top-songs-lake")
        .outputMode("append")
        .option("checkpointLocation", settings.checkpoint)
        .foreachBatch(LakeBatchWriter(root))
    )
    writer = (
        writer.trigger(availableNow=True)
        if settings.once
        else writer.trigger(processingTime=f"{settings.trigger_seconds} seconds")
    )
    say(
        f"reading {settings.topic} from {settings.brokers} into {root} "
        f"(checkpoint {settings.checkpoint}, {'available now' if settings.once else f'every {settings.trigger_seconds} s'})"
    )
    return writer.start()
