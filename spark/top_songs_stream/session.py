"""The Spark session the job runs in: UTC, Parquet as the lake contract wants it, the dedup's state store."""

from __future__ import annotations

import os

from pyspark.sql import SparkSession

from .settings import JobSettings


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
