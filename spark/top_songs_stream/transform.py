"""The transform: validate each record (validation.py), drop a valid event_id seen again within the dedup
window, and shape valid rows into the lake's play columns and invalid ones into reject lines."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .schema import PLAY_COLUMNS, PLAYS_SCHEMA
from .validation import classify


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
