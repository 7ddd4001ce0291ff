#!/bin/sh
# Runs inside LocalStack once it is ready: a lake bucket for `LAKE_URI=s3://top-songs-lake/`
# against AWS_ENDPOINT_URL_S3=http://127.0.0.1:4566 (the CDK stack creates its own bucket).
awslocal s3 mb s3://top-songs-lake || true
