import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ObjectStore, StoredObject } from '../../ports/object-store.ts';
import { s3LakeName } from './s3-name.ts';

const DOWNLOAD_CONCURRENCY = 8;

/**
 * How long one S3 call may take: 3 tries (the SDK's standard retry mode: 5xx, throttling such as 503 SlowDown,
 * timeouts and refused or reset connections, with jittered exponential backoff), each given 3 s to connect
 * and 15 s for request and response, so about 46 s at worst. That fits the lake-writer's 60 s timeout: an
 * unreachable or silent server fails the call, and the trigger retries the batch, instead of a call hanging
 * past the function's end (the SDK sets no timeouts by default).
 */
export const S3_CALL_BOUNDS = {
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 15_000,
} as const;

export interface S3ClientOptions {
  readonly region: string;
  /** An S3-compatible server's URL; unset: AWS (or the SDK's own AWS_ENDPOINT_URL_S3). */
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
}

/** The lake's S3 client, with every call bounded (S3_CALL_BOUNDS). */
export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    retryMode: 'standard',
    maxAttempts: S3_CALL_BOUNDS.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: S3_CALL_BOUNDS.connectionTimeoutMs,
      requestTimeout: S3_CALL_BOUNDS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

/** The data lake in an S3 bucket (AWS, or any S3-compatible server), under an optional key prefix. */
export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(client: S3Client, bucket: string, prefix = '') {
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((object) => object.key);
  }

  async listObjects(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        objects.push({
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          etag: object.ETag ?? '',
        });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async localCopies(keys: readonly string[], scratchDir: string): Promise<string[]> {
    const paths: string[] = new Array(keys.length);
    let next = 0;
    // A handful of downloads at a time: enough to hide latency, few enough for a Lambda's sockets.
    const worker = async () => {
      for (let index = next++; index < keys.length; index = next++) {
        const key = keys[index]!;
        const body = await this.get(key);
        if (!body) throw new Error(`s3://${this.bucket}/${this.prefix}${key} disappeared while being read`);
        const path = join(scratchDir, `${index}-${key.split('/').pop()}`);
        await writeFile(path, body);
        paths[index] = path;
      }
    };
    await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, keys.length) }, worker));
    return paths;
  }

  describe(): string {
    return s3LakeName(this.bucket, this.prefix);
  }
}
