/**
 * The local runtime's GET /metrics and GET /health, after plays driven through the real pipeline (HTTP server,
 * ingest, embedded transport, lake-writer, chart job): every counter has exactly the value the requests sent
 * imply, counted here independently of the code (events built valid or invalid on purpose, files listed in the lake).
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { topics } from '../../src/topology.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('GET /metrics and GET /health of the local runtime', () => {
  let runtime: LocalRuntime;
  let dataDir: { path: string; remove: () => Promise<void> };
  // A closed hour of yesterday (UTC): its chart is final whatever the time of day.
  const hourStart = new Date((Math.floor(Date.now() / DAY) - 1) * DAY + 12 * HOUR);
  const play = (n: number, extra: Record<string, unknown> = {}) => ({
    event_id: randomUUID(),
    user_id: `user-${n % 5}`,
    song_id: `song-${String(n % 7).padStart(6, '0')}`,
    region: 'us',
    played_at: new Date(hourStart.getTime() + n * 1000).toISOString(),
    ms_played: 60_000,
    ...extra,
  });
  const valid = Array.from({ length: 40 }, (_, n) => play(n));
  const invalid = [
    play(100, { region: 'zz' }),
    play(101, { region: 'zz' }),
    play(102, { ms_played: -5 }),
    'nope',
  ];

  const metrics = async () => {
    const response = await fetch(`${runtime.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  beforeAll(async () => {
    dataDir = await makeTempDir('observability');
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir.path, PORT: '0', REGIONS: 'us,gb' },
      schedules: false,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await dataDir?.remove();
  });

  it('lists every metric at zero before anything happened', async () => {
    const samples = await metrics();
    expect(samples.get('top_songs_plays_accepted_total')).toBe(0);
    expect([...samples.keys()].some((name) => name.startsWith('top_songs_lake_rows_written_total{'))).toBe(
      false,
    );
  });

  it('counts plays, rejections by reason, lake rows and files, chart windows and API latency exactly', async () => {
    const response = await postPlays(runtime, {
      events: [...valid.slice(0, 20), ...invalid, ...valid.slice(20)],
    });
    expect(response.status).toBe(202);
    expect(await postPlays(runtime, 'not json')).toHaveProperty('status', 400);
    expect((await fetch(`${runtime.url}/v1/regions`)).status).toBe(200);
    // A record no client could send (ingest validates), straight into the topic: the lake-writer files it as a reject.
    const transport = await runtime.dependencies.transport();
    await transport.publish(topics.plays.name, [{ key: 'k', value: '{"not": "a play"' }]);

    const lake = join(dataDir.path, 'lake');
    const samples = await waitFor('the lake-writer to count every row', async () => {
      const current = await metrics();
      const rows =
        (current.get('top_songs_lake_rows_written_total{kind="plays"}') ?? 0) +
        (current.get('top_songs_lake_rows_written_total{kind="rejects"}') ?? 0);
      return rows >= valid.length + 1 ? current : undefined;
    });
    const files = (await readdir(lake, { recursive: true })).filter((path) =>
      /\.(parquet|jsonl)$/.test(path),
    );

    expect(samples.get('top_songs_plays_accepted_total')).toBe(valid.length);
    expect(samples.get('top_songs_plays_rejected_total{reason="invalid_region"}')).toBe(2);
    expect(samples.get('top_songs_plays_rejected_total{reason="invalid_ms_played"}')).toBe(1);
    expect(samples.get('top_songs_plays_rejected_total{reason="invalid_event"}')).toBe(1);
    expect(samples.get('top_songs_lake_rows_written_total{kind="plays"}')).toBe(valid.length);
    expect(samples.get('top_songs_lake_rows_written_total{kind="rejects"}')).toBe(1);
    expect(samples.get('top_songs_lake_files_written_total{kind="plays"}')).toBe(
      files.filter((path) => path.startsWith('plays/')).length,
    );
    expect(samples.get('top_songs_lake_files_written_total{kind="rejects"}')).toBe(1);
    expect(samples.get('top_songs_dead_letters_total{function="lake-writer"}')).toBeUndefined();
    const plays = 'route="POST /v1/plays"';
    expect(samples.get(`top_songs_api_request_duration_seconds_count{${plays},status="202"}`)).toBe(1);
    expect(samples.get(`top_songs_api_request_duration_seconds_count{${plays},status="400"}`)).toBe(1);
    expect(
      samples.get('top_songs_api_request_duration_seconds_count{route="GET /v1/regions",status="200"}'),
    ).toBe(1);
    expect(samples.get(`top_songs_api_server_errors_total{${plays}}`)).toBeUndefined();
    const batches = samples.get(
      'top_songs_batch_duration_seconds_count{function="lake-writer",outcome="ok"}',
    );
    expect(batches).toBeGreaterThanOrEqual(1);

    await invokeFunction('chart-hourly', { period: 'hour', window_start: hourStart.toISOString() });
    const charted = await metrics();
    expect(charted.get('top_songs_chart_windows_computed_total{period="hour",status="final"}')).toBe(1);
    expect(charted.get('top_songs_chart_run_duration_seconds_count{period="hour",outcome="ok"}')).toBe(1);
  });

  it('reports each dependency at GET /health, as npm run doctor -- --json does', async () => {
    const response = await fetch(`${runtime.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      ok: boolean;
      checks: { service: string; status: string; detail: string }[];
    };
    expect(body.ok).toBe(true);
    expect(Object.fromEntries(body.checks.map((check) => [check.service, check.status]))).toEqual({
      postgres: 'ok',
      transport: 'ok',
      lake: 'ok',
      aws: 'skip',
      openai: 'skip',
    });
    // The transport check reads the lake-writer's lag from the embedded log: every record was consumed.
    expect(body.checks.find((check) => check.service === 'transport')?.detail).toMatch(/lag 0\b/);
    expect((await fetch(`${runtime.url}/health`, { method: 'POST' })).status).toBe(405);
  });
});
