/**
 * Correlation (test/integration/correlation.test.ts, test/integration/kafka/correlation.test.ts): the id of each ingest request (API Gateway's request id, answered in `apigw-requestid`) travels
 * with its events as the record header `ingest-request-id`, through the transport, to the lake-writer's log line of
 * the batch that wrote them. On the embedded transport always, on real Kafka with KAFKA_BROKERS.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';

interface LogLine {
  message?: string;
  function_name?: string;
  written?: number;
  ingest_request_ids?: string[];
}

let lines: LogLine[] = [];

/** The lake-writer's `batch written` lines captured so far in this test (captureLogLines). */
export const lakeWriterBatchLines = (): LogLine[] =>
  lines.filter((line) => line.message === 'batch written' && line.function_name === 'lake-writer');

/** Captures the JSON log lines the process writes during each test of the file that calls it. */
export function captureLogLines(): void {
  beforeEach(() => {
    lines = [];
    // The lake-writer logs its batches at INFO; its logger is made when the runtime first imports the handler.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const text of String(chunk).split('\n')) {
        if (!text.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(text) as LogLine);
        } catch {
          // Not a whole log line (another writer's output): not ours to read.
        }
      }
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
}

const play = (n: number) => ({
  event_id: randomUUID(),
  user_id: `user-${n}`,
  song_id: 'song-000001',
  region: 'us',
  played_at: new Date(Date.now() - 60_000).toISOString(),
  ms_played: 60_000,
});

/** Posts two requests of plays to a runtime on `env` and expects each request's id on the lake-writer's batch lines. */
export async function expectCorrelated(env: Record<string, string>): Promise<void> {
  const dataDir = await makeTempDir('correlation');
  let runtime: LocalRuntime | undefined;
  try {
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir.path, PORT: '0', ...env },
      schedules: false,
    });
    const requests = new Map<string, number>();
    for (const size of [3, 5]) {
      const response = await postPlays(runtime, { events: Array.from({ length: size }, (_, n) => play(n)) });
      expect(response.status).toBe(202);
      const id = response.headers.get('apigw-requestid');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      requests.set(id!, size);
    }
    const written = await waitFor('the lake-writer to log every event written', async () => {
      const batches = lakeWriterBatchLines();
      const total = batches.reduce((sum, line) => sum + (line.written ?? 0), 0);
      return total >= 8 ? batches : undefined;
    });
    // Each request's id is on the batch line(s) that wrote its events, and no other id is.
    const logged = new Set(written.flatMap((line) => line.ingest_request_ids ?? []));
    expect([...logged].sort()).toEqual([...requests.keys()].sort());
  } finally {
    await runtime?.stop();
    await dataDir.remove();
  }
}
