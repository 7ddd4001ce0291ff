"""The job's settings (parsed from the CLI and the environment by __main__.py) and the lake's address as
Hadoop sees it: a folder or s3://, and S3A's configuration for an S3-compatible server or AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse


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
