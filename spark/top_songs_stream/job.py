"""The streaming query: source (Kafka) → transform (validate, dedup) → sink (plays/ Parquet, rejects/ JSON
lines), started by __main__.py (docs/spark.md)."""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQueryListener

from .log import say
from .settings import JobSettings, lake_root
from .sink import LakeBatchWriter
from .source import kafka_rows
from .transform import plays_and_rejects


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
