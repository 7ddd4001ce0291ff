import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Producer } from '@platformatic/kafka';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePlaysParquet } from '../../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { KafkaTransport } from '../../../src/adapters/transport/kafka.ts';
import { EventSourcePoller } from '../../../src/local/event-source-poller.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../src/local/runtime.ts';
import { functionNamed, namespacedTopics, qualified, type TopicTrigger } from '../../../src/topology.ts';
import { writePlaysToLake } from '../../../src/use-cases/write-plays-to-lake.ts';
import {
  expectExactlyOnceAcrossKill,
  expectExactPipeline,
  lastHourTraffic,
} from '../../support/exact-pipeline.ts';
import { createReplayTopic, kafkaBrokers, readTopic, testNamespace } from '../../support/kafka.ts';
import { readLakeRows } from '../../support/lake.ts';
import { recentPlay } from '../../support/play-batches.ts';
import { makeTempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

describe.skipIf(!kafkaBrokers)('with Kafka (KAFKA_BROKERS unset: start it with npm run stack:up)', () => {
  const dirs: { remove: () => Promise<void> }[] = [];
  const newDataDir = async (name: string) => {
    const dir = await makeTempDir(name);
    dirs.push(dir);
    return dir.path;
  };

  afterAll(async () => {
    for (const dir of dirs) await dir.remove();
  });

  describe('the pipeline', () => {
    let runtime: LocalRuntime;
    let dataDir: string;
    const { hourStart, traffic } = lastHourTraffic();

    beforeAll(async () => {
      dataDir = await newDataDir('kafka-pipeline');
      runtime = await startLocalRuntime({
        env: {
          TOP_SONGS_DATA_DIR: dataDir,
          PORT: '0',
          KAFKA_BROKERS: kafkaBrokers,
          TOP_SONGS_NAMESPACE: testNamespace('pipeline'),
          REGIONS: 'us,gb,de',
        },
        schedules: false,
      });
    });

    afterAll(async () => runtime?.stop());

    it('writes every acknowledged play to the lake exactly once and charts it exactly', async () => {
      await expectExactPipeline({
        url: runtime.url,
        dataDir,
        traffic,
        hourStart,
        regions: ['us', 'gb', 'de'],
      });
    });
  });

  it('a killed consumer, restarted, leaves exactly the acknowledged plays in the lake', async () => {
    const dataDir = await newDataDir('kafka-kill');
    const env = {
      TOP_SONGS_DATA_DIR: dataDir,
      KAFKA_BROKERS: kafkaBrokers!,
      TOP_SONGS_NAMESPACE: testNamespace('kill'),
    };
    await expectExactlyOnceAcrossKill({
      env,
      dataDir,
      events: Array.from({ length: 4000 }, () => recentPlay()),
    });
  });

  it('sends a record the function keeps failing on to the dead-letter topic, and the rest flows on', async () => {
    const namespace = testNamespace('dlq');
    const topics = namespacedTopics(namespace);
    const [playsTopic, deadLetterTopic] = [topics[0]!.name, topics[1]!.name];
    const transport = await KafkaTransport.open({ brokers: kafkaBrokers!.split(','), topics });
    const lake = new LocalFolderStore(join(await newDataDir('kafka-dlq'), 'lake'));
    const poison = recentPlay({ song_id: 'song-poison' });
    const events = [recentPlay(), recentPlay(), poison, recentPlay(), recentPlay()].map((event) => ({
      ...event,
      user_id: 'same-user',
    }));
    await transport.publish(
      playsTopic,
      events.map((event) => ({ key: event.user_id, value: JSON.stringify(event) })),
    );
    const trigger: TopicTrigger = {
      ...(functionNamed('lake-writer').trigger as TopicTrigger),
      maxAttempts: 2,
    };
    const poller = new EventSourcePoller({
      functionName: 'lake-writer',
      trigger,
      consumer: await transport.consumer(playsTopic, qualified('lake-writer', namespace)),
      deadLetters: { publisher: transport, topic: deadLetterTopic },
      backoffMs: () => 10,
      // The lake writer, with a bug that makes it fail on one record.
      invoke: async (event) => {
        const records = Object.values((event as MSKEvent).records)
          .flat()
          .map((record) => ({ ...record, value: Buffer.from(record.value, 'base64').toString() }));
        const bad = records.find((record) => record.value.includes('song-poison'));
        const good = records.filter((record) => !bad || record.offset < bad.offset);
        await writePlaysToLake(good, {
          lake,
          regions: ['us'],
          writer: 'lake-writer',
          encodePlays: encodePlaysParquet,
        });
        if (!bad) return {};
        return {
          batchItemFailures: [
            { itemIdentifier: { partition: `${playsTopic}-${bad.partition}`, offset: bad.offset } },
          ],
        };
      },
    });
    poller.start();
    try {
      const [dead] = await readTopic(deadLetterTopic, 1);
      expect(dead!.value.toString()).toContain('song-poison');
      const headers = Object.fromEntries(
        [...dead!.headers].map(([name, value]) => [name.toString(), value.toString()]),
      );
      expect(headers['x-failed-function']).toBe('lake-writer');
      expect(headers['x-attempts']).toBe('2');
      expect(headers['x-failure-reason']).toBeTruthy();
      const rows = await waitFor('the plays around the poison record in the lake', async () => {
        const found = await readLakeRows(lake.root);
        return found.length >= 4 ? found : undefined;
      });
      expect(rows.map((row) => row.event_id).sort()).toEqual(
        events
          .filter((event) => event.song_id !== poison.song_id)
          .map((event) => event.event_id)
          .sort(),
      );
    } finally {
      await poller.stop();
      await transport.close();
    }
  });

  it('delivers the recorded MSK fixture through Kafka and the poller to the lake-writer, as in its unit test', async () => {
    const fixture = JSON.parse(
      await readFile(join(import.meta.dirname, '../../fixtures/events/msk-song-plays.json'), 'utf8'),
    ) as MSKEvent;
    const namespace = testNamespace('fixture');
    const dataDir = await newDataDir('kafka-fixture');
    const records = Object.values(fixture.records).flat();
    // The fixture's records, produced with their own keys and timestamps (validation judges by them).
    const topics = namespacedTopics(namespace);
    await createReplayTopic(kafkaBrokers!.split(','), topics[0]!.name, topics[0]!.partitions);
    await (await KafkaTransport.open({ brokers: kafkaBrokers!.split(','), topics })).close();
    const producer = new Producer({
      clientId: 'fixture',
      bootstrapBrokers: kafkaBrokers!.split(','),
      idempotent: true,
    });
    await producer.send({
      messages: records.map((record) => ({
        topic: topics[0]!.name,
        key: record.key ? Buffer.from(record.key, 'base64') : Buffer.alloc(0),
        value: Buffer.from(record.value, 'base64'),
        timestamp: BigInt(record.timestamp),
      })),
    });
    await producer.close();
    const runtime = await startLocalRuntime({
      env: {
        TOP_SONGS_DATA_DIR: dataDir,
        PORT: '0',
        KAFKA_BROKERS: kafkaBrokers,
        TOP_SONGS_NAMESPACE: namespace,
      },
      schedules: false,
    });
    try {
      const lake = runtime.dependencies.lake();
      const written = await waitFor('the fixture in the lake', async () => {
        const keys = await lake.list('');
        const rejects = keys.filter((key) => key.startsWith('rejects/'));
        return rejects.length >= 2 || (rejects.length >= 1 && keys.length >= 4) ? keys : undefined;
      });
      const rows = await waitFor('all valid plays', async () => {
        const found = await readLakeRows(join(dataDir, 'lake'));
        return found.length >= 4 ? found : undefined;
      });
      // The unit test's expectations (test/fixtures/events/README.md): 4 valid plays, 2 rejects.
      expect(rows.map((row) => row.event_id).sort()).toEqual([
        'b1a7c0de-2f3e-4d5c-8b6a-7f8e9d0c1b2a',
        'c2b8d1ef-3a4f-4e6d-9c7b-8a9f0e1d2c3b',
        'e4d0f3a1-5c6b-4a8f-9e9d-0c1b2a3f4e5d',
        'f5e1a4b2-6d7c-4b9a-8f0e-1d2c3b4a5f6e',
      ]);
      const rejected = (
        await Promise.all(
          written
            .filter((key) => key.startsWith('rejects/'))
            .map(async (key) =>
              new TextDecoder()
                .decode(await lake.get(key))
                .trim()
                .split('\n'),
            ),
        )
      ).flat();
      expect(rejected).toHaveLength(2);
      expect(written.some((key) => key.includes('/hour=09/'))).toBe(true);
    } finally {
      await runtime.stop();
    }
  });
});
