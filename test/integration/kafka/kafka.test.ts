import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Message, Producer } from '@platformatic/kafka';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createReplayTopic,
  kafkaBrokers,
  kafkaSkipped,
  readTopic,
  testNamespace,
} from '../../../devkit/kafka.ts';
import { readLakeRows } from '../../../devkit/lake.ts';
import { recentPlay } from '../../../devkit/play-batches.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { EventSourcePoller } from '../../../local/event-source-poller.ts';
import { invokeFunction } from '../../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { KafkaTransport } from '../../../src/adapters/transport/kafka/transport.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { functionNamed, namespacedTopics, qualified, type TopicTrigger } from '../../../src/topology.ts';
import { createDependencies, installDependencies } from '../../../src/wiring/dependencies.ts';
import { lakeWriterOffsets, tempDataDirs } from '../../support/data-dirs.ts';
import {
  expectExactlyOnceAcrossKill,
  expectExactPipeline,
  lastHourTraffic,
} from '../../support/exact-pipeline.ts';
import { withOverrides } from '../../support/store-overrides.ts';

const headersOf = (message: Message) =>
  Object.fromEntries([...message.headers].map(([name, value]) => [name.toString(), value.toString()]));

describe.skipIf(kafkaSkipped())(
  'with Kafka (KAFKA_BROKERS unset: start it with npm run services:up -- kafka)',
  () => {
    const newDataDir = tempDataDirs();

    describe('the pipeline', () => {
      let runtime: LocalRuntime;
      let dataDir: string;
      const namespace = testNamespace('pipeline');
      const { hourStart, traffic } = lastHourTraffic();

      beforeAll(async () => {
        dataDir = await newDataDir('kafka-pipeline');
        runtime = await startLocalRuntime({
          env: {
            TOP_SONGS_DATA_DIR: dataDir,
            PORT: '0',
            KAFKA_BROKERS: kafkaBrokers,
            TOP_SONGS_NAMESPACE: namespace,
            REGIONS: 'us,gb,de',
          },
          schedules: false,
        });
      });

      afterAll(async () => runtime?.stop());

      it('writes every acknowledged play to the lake exactly once and charts it exactly', async () => {
        await expectExactPipeline({
          api: runtime,
          dataDir,
          traffic,
          hourStart,
          regions: ['us', 'gb', 'de'],
          committed: lakeWriterOffsets(namespace),
        });
      });
    });

    it('a killed consumer, restarted, leaves exactly the acknowledged plays in the lake', async () => {
      const dataDir = await newDataDir('kafka-kill');
      const namespace = testNamespace('kill');
      const env = {
        TOP_SONGS_DATA_DIR: dataDir,
        KAFKA_BROKERS: kafkaBrokers!,
        TOP_SONGS_NAMESPACE: namespace,
      };
      await expectExactlyOnceAcrossKill({
        env,
        dataDir,
        events: Array.from({ length: 4000 }, () => recentPlay()),
        committed: lakeWriterOffsets(namespace),
      });
    });

    describe('dead letters, with the real lake-writer', () => {
      const HOUR = 3_600_000;
      const healthy = () => recentPlay({ user_id: 'same-user' });
      let transport: KafkaTransport;
      let namespace: string;
      let lake: LocalFolderStore;
      const lakeWriter = functionNamed('lake-writer').trigger as TopicTrigger;

      beforeEach(async () => {
        namespace = testNamespace('dlq');
        transport = await KafkaTransport.open({
          brokers: kafkaBrokers!.split(','),
          topics: namespacedTopics(namespace),
        });
        lake = new LocalFolderStore(join(await newDataDir('kafka-dlq'), 'lake'));
      });
      afterEach(async () => {
        installDependencies(undefined);
        await transport.close();
      });

      /** The lake-writer on `store`, fed by a poller of the namespace's plays (lake-writer's trigger, 2 attempts). */
      async function runLakeWriter(
        store: ObjectStore,
        invoke = (event: unknown) => invokeFunction('lake-writer', event),
      ) {
        const settings = loadSettings({ TOP_SONGS_DATA_DIR: lake.root, REGIONS: 'us' });
        installDependencies({ ...createDependencies(settings), lake: () => store });
        const poller = new EventSourcePoller({
          functionName: 'lake-writer',
          trigger: { ...lakeWriter, maxAttempts: 2 },
          consumer: await transport.consumer(
            qualified('song-plays', namespace),
            qualified('lake-writer', namespace),
          ),
          deadLetters: { publisher: transport, topic: qualified('song-plays-dlq', namespace) },
          backoffMs: () => 10,
          invoke,
          bootstrapServers: transport.bootstrapServers,
        });
        poller.start();
        return poller;
      }

      /** Publishes the plays, each request one transaction as ingest does; returns the records as read back. */
      async function publish(...requests: Record<string, unknown>[][]) {
        for (const plays of requests) {
          await transport.publish(
            qualified('song-plays', namespace),
            plays.map((play) => ({ key: String(play.user_id), value: JSON.stringify(play) })),
          );
        }
        return readTopic(qualified('song-plays', namespace), requests.flat().length);
      }

      async function expectLakeRows(expected: readonly { event_id: unknown }[]) {
        const rows = await waitFor('the healthy plays in the lake', async () => {
          const found = await readLakeRows(lake.root);
          return found.length >= expected.length ? found : undefined;
        });
        expect(rows.map((row) => row.event_id).sort()).toEqual(expected.map((play) => play.event_id).sort());
      }

      it('a record whose file the lake refuses goes to the dead-letter topic as it was, with the reason', async () => {
        // The poison play is three hours old: its hour's file is the one the (broken) lake refuses.
        const poison = recentPlay({
          user_id: 'same-user',
          played_at: new Date(Date.now() - 3 * HOUR).toISOString(),
        });
        const at = new Date(String(poison.played_at)).toISOString();
        const refusedHour = `dt=${at.slice(0, 10)}/hour=${at.slice(11, 13)}/`;
        const refusing = withOverrides(lake, {
          put: async (key, body, type) => {
            if (key.includes(refusedHour)) throw new Error(`no space left for ${key}`);
            await lake.put(key, body, type);
          },
        });
        const others = [healthy(), healthy(), recentPlay(), recentPlay()];
        // The poison record first in its partition: the lake-writer fails a partition from its batch's first record.
        const produced = await publish([poison], others);
        const poller = await runLakeWriter(refusing);
        try {
          const [dead] = await readTopic(qualified('song-plays-dlq', namespace), 1);
          const source = produced.find((message) =>
            message.value.toString().includes(String(poison.event_id)),
          )!;
          expect(dead!.key).toEqual(source.key);
          expect(dead!.value).toEqual(source.value);
          expect(headersOf(dead!)).toEqual({
            'x-failure-reason': 'lake-writer reported it as a batch item failure in attempt 2 of 2',
            'x-failed-function': 'lake-writer',
            'x-source': `${source.topic}-${source.partition}@${source.offset}`,
            'x-attempts': '2',
          });
          await expectLakeRows(others);
        } finally {
          await poller.stop();
        }
      });

      it('a record the function throws on is split off its batch and dead-lettered with the error; its neighbours are written', async () => {
        const crash = recentPlay({ user_id: 'same-user', song_id: 'song-crash' });
        const plays = [healthy(), healthy(), crash, healthy(), healthy()];
        const produced = await publish(plays);
        const poller = await runLakeWriter(lake, async (event) => {
          const values = Object.values((event as MSKEvent).records).flat();
          if (
            values.some((record) => Buffer.from(record.value, 'base64').toString().includes('song-crash'))
          ) {
            throw new Error('lake-writer ran out of memory on song-crash');
          }
          return invokeFunction('lake-writer', event);
        });
        try {
          const [dead] = await readTopic(qualified('song-plays-dlq', namespace), 1);
          const source = produced.find((message) => message.value.toString().includes('song-crash'))!;
          expect(dead!.value).toEqual(source.value);
          expect(headersOf(dead!)).toEqual({
            'x-failure-reason': 'lake-writer ran out of memory on song-crash',
            'x-failed-function': 'lake-writer',
            'x-source': `${source.topic}-${source.partition}@${source.offset}`,
            'x-attempts': '2',
          });
          await expectLakeRows(plays.filter((play) => play !== crash));
        } finally {
          await poller.stop();
        }
      });
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
        // The rejects, whichever files they went to: the lake-writer's batch window decides whether the two
        // partitions' records arrive in one delivery or several, and so how many files hold them.
        const rejected = await waitFor('both rejects in the lake', async () => {
          const keys = (await lake.list('')).filter((key) => key.startsWith('rejects/'));
          const lines = await Promise.all(
            keys.map(async (key) =>
              new TextDecoder()
                .decode(await lake.get(key))
                .trim()
                .split('\n'),
            ),
          );
          const parsed = lines.flat().map((line) => JSON.parse(line) as Record<string, unknown>);
          return parsed.length >= 2 ? parsed : undefined;
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
        // Exactly the fixture's two invalid records, byte for byte, stamped with their own timestamps, each
        // with its reasons (offsets and partitions are this topic's, not the recorded ones).
        const fixtureRecord = (offset: number, partition: string) => {
          const record = fixture.records[partition]!.find((candidate) => candidate.offset === offset)!;
          return {
            value: Buffer.from(record.value, 'base64').toString('utf8'),
            received_at: new Date(record.timestamp).toISOString(),
          };
        };
        const byValue = (a: Record<string, unknown>, b: Record<string, unknown>) =>
          String(a.value).localeCompare(String(b.value));
        expect(rejected.sort(byValue)).toEqual(
          [
            {
              ...fixtureRecord(8, 'song-plays-2'),
              errors: [{ field: '(record)', message: expect.stringMatching(/^value is not valid JSON/) }],
            },
            {
              ...fixtureRecord(42, 'song-plays-0'),
              errors: [
                { field: 'song_id', message: 'is required' },
                { field: 'region', message: expect.stringMatching(/^unknown region "atlantis"/) },
              ],
            },
          ]
            .sort(byValue)
            .map((expected) => expect.objectContaining({ ...expected, topic: topics[0]!.name })),
        );
        expect((await lake.list('plays/')).some((key) => key.includes('/hour=09/'))).toBe(true);
      } finally {
        await runtime.stop();
      }
    });
  },
);
