import { S3Client } from '@aws-sdk/client-s3';
import { waitFor } from '../../devkit/wait-for.ts';
import { S3Store } from '../../src/adapters/object-store/s3.ts';
import type { CatalogMetadata } from '../../src/domain/catalog.ts';
import { currentCatalog } from '../../src/use-cases/catalog-in-lake.ts';
import { catalogFiles } from '../../src/wiring/catalog-files.ts';
import type { DeployedStack, SmokeOptions } from './smoke.ts';

/**
 * Waits for the catalog that catalog-generate writes after the deploy (its trigger invokes it asynchronously)
 * and returns what the catalog says of itself: on an emulator without an OpenAI key, the seeded catalog.
 */
export function waitForCatalog(stack: DeployedStack, options: SmokeOptions): Promise<CatalogMetadata> {
  return withDeployedLake(stack, options, (lake) =>
    waitFor(
      `the catalog catalog-generate writes after the deploy, in s3://${stack.lakeBucket}/catalog/songs.parquet`,
      async () => {
        const current = await currentCatalog(lake, catalogFiles);
        return current.exists ? current.metadata : undefined;
      },
      options.lakeTimeoutMs ?? 180_000,
      1_000,
    ),
  );
}

/** The deployed stack's lake bucket, through the emulator's S3, for the time of `work`. */
export async function withDeployedLake<T>(
  stack: DeployedStack,
  options: SmokeOptions,
  work: (lake: S3Store) => Promise<T>,
): Promise<T> {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    forcePathStyle: true,
  });
  try {
    return await work(new S3Store(client, stack.lakeBucket));
  } finally {
    client.destroy();
  }
}
