"""The shapes the job reads and writes, stated once.

VALUE_SCHEMA is the play event as it travels on the topic (docs/contracts.md "Play event"): the JSON
types each field must have. The job parses the value as a VARIANT rather than with from_json(VALUE_SCHEMA):
from_json coerces (a string "30000" would read as ms_played 30000, a number as a user_id), whereas the
contract rejects a value of the wrong JSON type with its own message, exactly as the TypeScript validation
(src/domain/play-event.ts) does. validation.py walks VALUE_SCHEMA's fields in this order, which is also the
order of the errors it reports.

PLAYS_SCHEMA is the lake's `plays/` Parquet schema (docs/contracts.md "Data lake layout"): every column
nullable, so that Spark declares it OPTIONAL exactly as the lake-writer (DuckDB) does.
"""

from pyspark.sql.types import (
    ArrayType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

# The wire shape. `ms_played` is a JSON number that must be an integer; played_at an RFC 3339 string.
VALUE_SCHEMA = StructType(
    [
        StructField("event_id", StringType(), False),
        StructField("user_id", StringType(), False),
        StructField("song_id", StringType(), False),
        StructField("region", StringType(), False),
        StructField("played_at", StringType(), False),
        StructField("ms_played", LongType(), False),
        StructField("device", StringType(), True),
        StructField("session_id", StringType(), True),
    ]
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

# One validation error, as in the rejects' `errors` array.
ERROR_TYPE = StructType([StructField("field", StringType(), True), StructField("message", StringType(), True)])
ERRORS_TYPE = ArrayType(ERROR_TYPE, True)

# A line of rejects/*.jsonl, keys in the lake-writer's order.
REJECT_SCHEMA = StructType(
    [
        StructField("topic", StringType(), True),
        StructField("partition", IntegerType(), True),
        StructField("offset", LongType(), True),
        StructField("received_at", StringType(), True),
        StructField("errors", ERRORS_TYPE, True),
        StructField("value", StringType(), True),
    ]
)

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

__all__ = [
    "VALUE_SCHEMA",
    "PLAYS_SCHEMA",
    "PLAY_COLUMNS",
    "ERROR_TYPE",
    "ERRORS_TYPE",
    "REJECT_SCHEMA",
    "KAFKA_SCHEMA",
]
