"""The Spark schemas the job writes and reads, stated once.

PLAYS_SCHEMA is the lake's `plays/` Parquet schema (docs/contracts.md "Data lake layout"): every column
nullable, so that Spark declares it OPTIONAL exactly as the lake-writer (DuckDB) does.

The play event on the wire has no Spark schema: the job parses the value as a VARIANT, not with
from_json(schema), because from_json coerces (a string "30000" would read as ms_played 30000) whereas the
contract rejects a wrong JSON type with zod's message. validation.py is the one statement of the wire shape:
its FIELDS in order (also the order of the errors) and a rule per field. A rejects/ line's keys are stated
where it is built (job.reject_lines).
"""

from pyspark.sql.types import (
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

# Columns of plays/*.parquet, in the lake-writer's order; all OPTIONAL in Parquet.
PLAYS_SCHEMA = StructType(
    [
        StructField("event_id", StringType(), True),
        StructField("user_id", StringType(), True),
        StructField("song_id", StringType(), True),
        StructField("region", StringType(), True),
        # INT64 TIMESTAMP(MICROS, isAdjustedToUTC) with spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS.
        StructField("played_at", TimestampType(), True),
        StructField("ms_played", IntegerType(), True),
        StructField("device", StringType(), True),
        StructField("session_id", StringType(), True),
        StructField("source_topic", StringType(), True),
        StructField("source_partition", IntegerType(), True),
        StructField("source_offset", LongType(), True),
    ]
)

PLAY_COLUMNS = [field.name for field in PLAYS_SCHEMA.fields]

# The Kafka source's columns that the job uses (what a static test DataFrame must provide).
KAFKA_SCHEMA = StructType(
    [
        StructField("key", StringType(), True),
        StructField("value", StringType(), True),
        StructField("topic", StringType(), True),
        StructField("partition", IntegerType(), True),
        StructField("offset", LongType(), True),
        StructField("timestamp", TimestampType(), True),
    ]
)

__all__ = ["PLAYS_SCHEMA", "PLAY_COLUMNS", "KAFKA_SCHEMA"]
