"""The lakes the Kafka tests run the job into: a folder, or a prefix of the S3 server's bucket through S3A.

Listings, reads and deletes go through Hadoop's FileSystem of the test session, as the job's own do (for a
folder its raw file system, so that checksum files would show). What the TypeScript side sees (DuckDB over
plays/, the rejects' lines) is read from a local copy of plays/ and rejects/.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from conftest import lake_view, read_rejects

S3_ENDPOINT = os.environ.get("AWS_ENDPOINT_URL_S3")
S3_BUCKET = os.environ.get("TOP_SONGS_SPARK_S3_BUCKET", "top-songs-lake")
# CI sets TOP_SONGS_REQUIRE_S3=1 (test/integration/kafka/spark-job.test.ts): a missing S3 server fails there.
S3_REQUIRED = os.environ.get("TOP_SONGS_REQUIRE_S3") == "1"


class Lake:
    def __init__(self, spark, uri: str, scratch: Path):
        from top_songs_stream.settings import lake_root

        self.uri = uri  # what the job is given as LAKE_URI / --lake
        self.root = lake_root(uri)
        self.is_s3 = self.root.startswith("s3a://")
        self._jvm = spark.sparkContext._jvm
        self._path = self._jvm.org.apache.hadoop.fs.Path
        fs = self._path(self.root).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self._fs = fs if self.is_s3 else fs.getRawFileSystem()
        self._scratch = scratch
        self._copies = 0

    @property
    def checkpoint(self) -> str:
        return f"{self.root}/_checkpoints/spark-stream"

    def files(self, under: str = "") -> dict[str, int]:
        """Every file below `under` (relative to the lake), with its modification time in ms."""
        top = self._path(f"{self.root}/{under}".rstrip("/"))
        if not self._fs.exists(top):
            return {}
        prefix = len(self._path(self.root).toUri().getPath().rstrip("/")) + 1
        listed, found = self._fs.listFiles(top, True), {}
        while listed.hasNext():
            status = listed.next()
            found[status.getPath().toUri().getPath()[prefix:]] = status.getModificationTime()
        return found

    def read(self, relative: str) -> str:
        stream = self._fs.open(self._path(f"{self.root}/{relative}"))
        try:
            return self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def delete(self, relative: str) -> None:
        self._fs.delete(self._path(f"{self.root}/{relative}"), True)

    def local(self) -> Path:
        """A folder holding the lake's plays/ and rejects/: the lake itself, or a fresh copy of the S3 prefix."""
        if not self.is_s3:
            return Path(self.uri)
        self._copies += 1
        copy = self._scratch / f"copy-{self._copies}"
        copy.mkdir(parents=True)
        for folder in ("plays", "rejects"):
            source = self._path(f"{self.root}/{folder}")
            if self._fs.exists(source):
                self._fs.copyToLocalFile(False, source, self._path(copy.resolve().as_uri() + f"/{folder}"), True)
        return copy

    def view(self) -> dict:
        """plays/ as the chart job's DuckDB sees it: files, rows, types, Parquet schema (lake_probe.ts)."""
        return lake_view(str(self.local()))

    def rejects(self) -> tuple[list[str], list[dict]]:
        return read_rejects(str(self.local()))

    def remove(self) -> None:
        if self.is_s3:
            self._fs.delete(self._path(self.root), True)


def s3_configured() -> bool:
    if not S3_ENDPOINT and S3_REQUIRED:
        pytest.fail("TOP_SONGS_REQUIRE_S3=1 but AWS_ENDPOINT_URL_S3 is not set (`npm run services:up -- s3`)")
    return bool(S3_ENDPOINT)


def make_lake(kind: str, spark, tmp_path: Path):
    """A fresh lake of `kind` ("folder" or "s3"), removed afterwards (a generator for pytest fixtures)."""
    if kind == "s3":
        if not s3_configured():
            pytest.skip("AWS_ENDPOINT_URL_S3 is not set: start the S3 server with `npm run services:up -- s3`")
        lake = Lake(spark, f"s3://{S3_BUCKET}/test-spark-{uuid.uuid4().hex[:8]}", tmp_path)
    else:
        lake = Lake(spark, str(tmp_path / "lake"), tmp_path)
    try:
        yield lake
    finally:
        lake.remove()
