"""Top Songs' Spark Structured Streaming job: Kafka `song-plays` → the data lake (docs/spark.md)."""
