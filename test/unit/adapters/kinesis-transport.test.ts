import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsCommandInput,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KinesisTransport } from '../../../src/adapters/transport/kinesis/transport.ts';
import { TransportUnavailableError } from '../../../src/ports/transport.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const kinesis = mockClient(KinesisClient);
const streams = [
  { topic: 'song-plays', stream: 'plays', shards: 3 },
  { topic: 'song-plays-dlq', stream: 'plays-dlq', shards: 1 },
];

let dir: TempDir;
const open = () =>
  KinesisTransport.open({
    streams,
    checkpointDir: join(dir.path, 'checkpoints'),
    client: new KinesisClient({ region: 'us-east-1' }),
    retryDelayMs: () => 0,
  });
const messages = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ key: `user-${index}`, value: `{"n":${index}}` }));
const keysOf = (input: PutRecordsCommandInput) => input.Records!.map((entry) => entry.PartitionKey);
/** A PutRecords answer: the entries at `failing` positions throttled, the others stored. */
const answer = (count: number, failing: readonly number[] = []) => ({
  FailedRecordCount: failing.length,
  Records: Array.from({ length: count }, (_, index) =>
    failing.includes(index)
      ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
      : {
          SequenceNumber: `4968062234446500168889280025503127299368221159846418${index}`,
          ShardId: 'shardId-000000000000',
        },
  ),
});

beforeEach(async () => {
  dir = await tempDir('kinesis-transport');
  kinesis.reset();
  kinesis
    .on(DescribeStreamSummaryCommand)
    .resolves({ StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } as never });
});
afterEach(async () => {
  await dir.remove();
});
afterAll(() => {
  kinesis.restore();
});

describe('KinesisTransport.publish', () => {
  it('puts the messages on the topic’s stream, the key as partition key, in chunks of at most 500', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => answer(input.Records!.length));
    await (await open()).publish('song-plays', messages(1203));
    const calls = kinesis.commandCalls(PutRecordsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Records!.length)).toEqual([500, 500, 203]);
    expect(calls.every((input) => input.StreamName === 'plays')).toBe(true);
    expect(keysOf(calls[0]!).slice(0, 2)).toEqual(['user-0', 'user-1']);
    expect(Buffer.from(calls[0]!.Records![1]!.Data!).toString()).toBe('{"n":1}');
  });

  it('resends only the entries that failed, until every one is stored', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce(answer(5, [1, 3]))
      .resolvesOnce(answer(2, [1]))
      .resolvesOnce(answer(1));
    await (await open()).publish('song-plays', messages(5));
    const calls = kinesis.commandCalls(PutRecordsCommand).map((call) => keysOf(call.args[0].input));
    expect(calls).toEqual([
      ['user-0', 'user-1', 'user-2', 'user-3', 'user-4'],
      ['user-1', 'user-3'],
      ['user-3'],
    ]);
  });

  it('throws TransportUnavailableError (ingest: 503) when entries still fail after the retries', async () => {
    kinesis
      .on(PutRecordsCommand)
      .callsFake((input: PutRecordsCommandInput) => answer(input.Records!.length, [0]));
    const error = await (await open()).publish('song-plays', messages(3)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportUnavailableError);
    expect((error as Error).message).toMatch(
      /1 records still failed after 4 attempts.*ProvisionedThroughputExceeded/,
    );
    const calls = kinesis.commandCalls(PutRecordsCommand).map((call) => keysOf(call.args[0].input));
    expect(calls).toEqual([['user-0', 'user-1', 'user-2'], ['user-0'], ['user-0'], ['user-0']]);
  });

  it('throws TransportUnavailableError when the stream cannot be reached', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { name: 'Error' }));
    await expect((await open()).publish('song-plays', messages(1))).rejects.toBeInstanceOf(
      TransportUnavailableError,
    );
  });

  it('stores a message with headers as a JSON envelope (Kinesis records have no headers)', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => answer(input.Records!.length));
    await (await open()).publish('song-plays-dlq', [
      { key: 'k', value: 'v', headers: { 'x-failure-reason': 'boom' } },
    ]);
    const [entry] = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records!;
    expect(JSON.parse(Buffer.from(entry!.Data!).toString())).toEqual({
      headers: { 'x-failure-reason': 'boom' },
      value: 'v',
    });
    expect(kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input.StreamName).toBe('plays-dlq');
  });

  it('forwards a consumed record as the envelope, its value as text, or as base64 when it is not UTF-8', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => answer(input.Records!.length));
    const headers = { 'x-failure-reason': 'boom' };
    await (await open()).forward('song-plays-dlq', [
      { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), headers },
      { key: undefined, value: Buffer.from([0xff, 0x00]), headers },
    ]);
    const entries = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records!;
    expect(entries.map((entry) => entry.PartitionKey)).toEqual(['user-1', '-']);
    expect(entries.map((entry) => JSON.parse(Buffer.from(entry.Data!).toString()))).toEqual([
      { headers, value: '{"n":1}' },
      { headers, value_base64: Buffer.from([0xff, 0x00]).toString('base64') },
    ]);
  });

  it('refuses a topic it has no stream for', async () => {
    await expect((await open()).publish('elsewhere', messages(1))).rejects.toThrow(
      /Unknown topic "elsewhere"/,
    );
  });
});

describe('KinesisTransport.consumer', () => {
  const sequence = (n: number) =>
    `49680622344465001688892800255031272993682211598464188${String(n).padStart(3, '0')}`;
  const record = (n: number) => ({
    SequenceNumber: sequence(n),
    PartitionKey: `user-${n}`,
    Data: Buffer.from(`{"n":${n}}`),
    ApproximateArrivalTimestamp: new Date('2026-11-20T10:00:00Z'),
  });

  it('numbers records per shard, checkpoints the sequence number behind a committed offset, and resumes after it', async () => {
    kinesis.on(ListShardsCommand).resolves({ Shards: [{ ShardId: 'shardId-000000000001' }] as never });
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-0' })
      .resolves({ Records: [record(1), record(2), record(3)], NextShardIterator: 'it-1' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [], NextShardIterator: 'it-1' });

    const transport = await open();
    const consumer = await transport.consumer('song-plays', 'lake-writer');
    const records = await consumer.fetch(100, 0);
    expect(
      records.map((r) => [r.partition, r.offset, r.sequenceNumber, Buffer.from(r.value).toString()]),
    ).toEqual([
      [1, 0, sequence(1), '{"n":1}'],
      [1, 1, sequence(2), '{"n":2}'],
      [1, 2, sequence(3), '{"n":3}'],
    ]);
    expect(kinesis.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toMatchObject({
      ShardId: 'shardId-000000000001',
      ShardIteratorType: 'TRIM_HORIZON',
    });

    await consumer.commit(1, 2); // offsets 0 and 1 done
    const saved = JSON.parse(await readFile(join(dir.path, 'checkpoints', 'lake-writer.json'), 'utf8'));
    expect(saved).toEqual({ plays: { 'shardId-000000000001': sequence(2) } });

    const again = await (await open()).consumer('song-plays', 'lake-writer');
    await again.fetch(100, 0);
    expect(kinesis.commandCalls(GetShardIteratorCommand).at(-1)!.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: sequence(2),
    });
  });

  it('rewinds to its checkpoints: records read and not committed are read again', async () => {
    kinesis.on(ListShardsCommand).resolves({ Shards: [{ ShardId: 'shardId-000000000001' }] as never });
    kinesis
      .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
      .resolves({ ShardIterator: 'it-0' });
    kinesis
      .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .resolves({ ShardIterator: 'it-after-1' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-0' })
      .resolves({ Records: [record(1), record(2), record(3)], NextShardIterator: 'it-1' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-after-1' })
      .resolves({ Records: [record(2), record(3)], NextShardIterator: 'it-1' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [], NextShardIterator: 'it-1' });

    const consumer = await (await open()).consumer('song-plays', 'lake-writer');
    await consumer.fetch(100, 0);
    await consumer.commit(1, 1); // the first record is done
    await consumer.rewind();
    const again = await consumer.fetch(100, 0);
    expect(kinesis.commandCalls(GetShardIteratorCommand).at(-1)!.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: sequence(1),
    });
    // Read again under new local offsets; committing them checkpoints their sequence numbers.
    expect(again.map((r) => [r.offset, r.sequenceNumber])).toEqual([
      [3, sequence(2)],
      [4, sequence(3)],
    ]);
    await consumer.commit(1, 5);
    const saved = JSON.parse(await readFile(join(dir.path, 'checkpoints', 'lake-writer.json'), 'utf8'));
    expect(saved).toEqual({ plays: { 'shardId-000000000001': sequence(3) } });
  });
});
