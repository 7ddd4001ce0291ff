/** What the poller tests share: a fresh embedded transport per test, keys that land on a partition, labels. */
import { join } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { partitionFor } from '../../../src/adapters/transport/embedded/partitioner.ts';
import { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import { logger } from '../../../src/wiring/logger.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

/** The test's transport (a live binding: a new one for each test). */
export let transport: EmbeddedTransport;
let dir: TempDir;

/** Gives each test of the file a fresh embedded transport in a temp folder of its own. */
export function freshTransportPerTest(prefix: string): void {
  // Dead-lettering logs a warning by design; these tests check the dead-letter topic instead.
  beforeAll(() => logger.setLogLevel('ERROR'));
  afterAll(() => logger.setLogLevel('WARN'));
  beforeEach(async () => {
    dir = await tempDir(prefix);
    transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
  });
  afterEach(async () => {
    await transport.close();
    await dir.remove();
  });
}

/** Closes the transport and opens it again on its folder, as a restarted process would. */
export async function reopenTransport(): Promise<void> {
  await transport.close();
  transport = await EmbeddedTransport.open(join(dir.path, 'transport'));
}

/** A key that the transport puts on `partition` (test setup only). */
export const keyOn = (partition: number) => {
  for (let index = 0; ; index++) {
    const key = `user-${index}`;
    if (partitionFor(key, 3) === partition) return key;
  }
};

/** The records of an MSK event as sorted `partition@offset` labels. */
export const labels = (event: MSKEvent) =>
  Object.values(event.records)
    .flat()
    .map((record) => `${record.partition}@${record.offset}`)
    .sort();
