/**
 * The lake-writer handler with the recorded Kinesis batch of test/fixtures/events/kinesis-song-plays-envelope.json:
 * plays in the headers envelope (with their ingest request ids), a bare play written before plays carried one,
 * and malformed envelopes, which are rejected with their reason and their exact bytes, never a crash.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import {
  createDependencies,
  type Dependencies,
  installDependencies,
} from '../../../src/wiring/dependencies.ts';
import { captureLogLines, lakeWriterBatchLines } from '../../support/correlation.ts';
import { readPlayRows, type TempDir, tempDir } from '../support/temp.ts';

captureLogLines();

const fixturePath = join(import.meta.dirname, '../../fixtures/events/kinesis-song-plays-envelope.json');
interface KinesisFixture {
  Records: { kinesis: { sequenceNumber: string; data: string } }[];
}

let dataDir: TempDir;
let deps: Dependencies;
beforeEach(async () => {
  dataDir = await tempDir('kinesis-envelope');
  const settings = loadSettings({ TOP_SONGS_DATA_DIR: dataDir.path, LAKE_URI: join(dataDir.path, 'lake') });
  deps = createDependencies(settings, () => new Date('2026-11-20T10:54:00Z'));
  installDependencies(deps);
});
afterEach(async () => {
  installDependencies(undefined);
  await deps.close();
  await dataDir.remove();
});

describe('the lake-writer with a Kinesis batch in the headers envelope', () => {
  it('writes enveloped and bare plays, rejects malformed envelopes with their bytes, and logs the request ids', async () => {
    const event = JSON.parse(await readFile(fixturePath, 'utf8')) as KinesisFixture;
    const sequence = event.Records.map((record) => record.kinesis.sequenceNumber);
    const data = event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());
    // Imported once the log level is INFO (captureLogLines): the handler's logger reads it when made.
    const { handler } = await import('../../../functions/lake-writer/handler.ts');
    const result = await (handler as (event: unknown, context: unknown) => Promise<unknown>)(
      event,
      lambdaContext('lake-writer', 60),
    );
    expect(result).toEqual({ batchItemFailures: [] });

    const lake = join(dataDir.path, 'lake');
    const files = (await readdir(lake, { recursive: true })).filter((name) => name.includes('.')).sort();
    expect(files).toEqual([
      `plays/dt=2026-11-20/hour=10/lake-writer-top-songs-plays-0-${sequence[0]}.parquet`,
      `rejects/dt=2026-11-20/lake-writer-top-songs-plays-0-${sequence[2]}.jsonl`,
    ]);
    const rows = await readPlayRows([join(lake, files[0]!)]);
    expect(rows.map((row) => [row.event_id, row.region, row.song_id]).sort()).toEqual([
      ['5d4e6f70-8e9f-4a01-b2c3-de4f50617283', 'us', 'song-000017'],
      ['6e5f7081-9fa0-4b12-83d4-ef5061728394', 'gb', 'song-000003'],
    ]);

    const rejects = (await readFile(join(lake, files[1]!), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { sequence_number: string; errors: unknown; value: string });
    expect(rejects.map((reject) => reject.sequence_number)).toEqual([sequence[2], sequence[3], sequence[4]]);
    // A malformed envelope: the record's bytes exactly, with why.
    expect(rejects[0]).toMatchObject({
      value: data[2],
      errors: [
        {
          field: '(record)',
          message: 'malformed Kinesis envelope: header "ingest-request-id" is not a string',
        },
      ],
    });
    expect(rejects[2]).toMatchObject({
      value: data[4],
      errors: [
        { field: '(record)', message: expect.stringMatching(/^malformed Kinesis envelope: not valid JSON/) },
      ],
    });
    // A well-formed envelope around an invalid play: the play as ingest published it (the envelope's value).
    expect(rejects[1]!.value).toBe((JSON.parse(data[3]!) as { value: string }).value);
    expect(rejects[1]!.errors).toEqual([{ field: 'region', message: expect.stringMatching(/atlantis/) }]);

    expect(lakeWriterBatchLines()).toMatchObject([
      { written: 2, rejected: 3, ingest_request_ids: ['JpQ3ZgWBoAMEVMA=', 'JpQ4BhJdIAMEbXw='] },
    ]);
  });
});
