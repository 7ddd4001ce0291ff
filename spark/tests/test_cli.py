"""The CLI's settings (python -m top_songs_stream), without Spark or Kafka."""

from __future__ import annotations

import pytest

from top_songs_stream.__main__ import parse_args


@pytest.mark.parametrize("uri", ["s3://bucket/lake/", "/tmp/x/lake"])
def test_the_checkpoint_takes_the_lake_uri_forms(uri):
    """--checkpoint s3://… is turned into s3a:// like --lake (and brings the S3A settings along)."""
    env = {"KAFKA_BROKERS": "b:9092", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:7070"}
    settings = parse_args(["--lake", "/tmp/lake", "--checkpoint", uri], env)
    expected = "s3a://bucket/lake" if uri.startswith("s3://") else "file:///tmp/x/lake"
    assert settings.checkpoint == expected
    assert ("fs.s3a.endpoint" in settings.s3) == uri.startswith("s3://")


def test_the_checkpoint_defaults_to_the_lake():
    settings = parse_args([], {"KAFKA_BROKERS": "b:9092", "LAKE_URI": "s3://bucket/prefix/"})
    assert (settings.lake_uri, settings.checkpoint) == ("s3://bucket/prefix/", "s3a://bucket/prefix/_checkpoints/spark-stream")
