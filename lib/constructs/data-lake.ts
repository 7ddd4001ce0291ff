import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { stackOutput } from '../stack-output.ts';

export interface DataLakeProps {
  /** DESTROY also empties the bucket on stack deletion (a small CDK-provided Lambda does it). */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The S3 data lake: `plays/` (partitioned Parquet), `rejects/`, the catalog. Private, TLS-only,
 * encrypted at rest, with a generated name.
 */
export class DataLake extends Construct {
  readonly bucket: Bucket;
  /** The `LAKE_URI` the functions read: `s3://<bucket>/`. */
  readonly uri: string;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Retried writes replace files with deterministic names; old versions would only cost money.
      versioned: false,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    this.uri = `s3://${this.bucket.bucketName}/`;
    stackOutput(this, 'LakeBucketName', {
      value: this.bucket.bucketName,
      description: 'The data lake bucket',
    });
    stackOutput(this, 'LakeUri', { value: this.uri, description: 'LAKE_URI of the deployed functions' });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Not enabled by this stack: server access logs need a log bucket of their own, and an account that audits data access uses CloudTrail S3 data events across buckets instead. Writers are Lambda roles with scoped grants.',
    });
  }
}
