import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';

/** An IPv4 address of this machine other than loopback, to check the server is not reachable there. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

/** Every class of bad input, through the real HTTP server: a specific error, and the process stays up. */
describe('bad input over HTTP', () => {
  let runtime: LocalRuntime;
  let removeDataDir: () => Promise<void>;

  beforeAll(async () => {
    const dir = await makeTempDir('bad-input');
    removeDataDir = dir.remove;
    runtime = await startLocalRuntime({ env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0' }, schedules: false });
  });

  afterAll(async () => {
    await runtime?.stop();
    await removeDataDir?.();
  });

  const validPlay = () => ({
    event_id: randomUUID(),
    user_id: 'user-1',
    song_id: 'song-000001',
    region: 'us',
    played_at: new Date(Date.now() - 60_000).toISOString(),
    ms_played: 45_000,
  });

  const post = async (body: string | object) => {
    const response = await postPlays(runtime, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('rejects a body that is not JSON, naming the problem', async () => {
    const { status, body } = await post('{"events": [');
    expect(status).toBe(400);
    expect(body.message).toMatch(/^body is not valid JSON/);
  });

  it.each([
    ['an array', '[]', /play event object/],
    ['a number', '42', /play event object/],
    ['events that is not an array', '{"events": {}}', /"events" must be an array/],
    ['no events', '{"events": []}', /at least 1 event/],
    ['too many events', JSON.stringify({ events: Array.from({ length: 501 }, validPlay) }), /limit is 500/],
  ])('rejects %s with 400', async (_, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
  });

  it.each([
    ['a wrong type', { ms_played: '45000' }, 'ms_played', /number/],
    ['an unknown region', { region: 'atlantis' }, 'region', /unknown region "atlantis"/],
    ['a missing field', { song_id: undefined }, 'song_id', /is required/],
    [
      'a timestamp 6 minutes ahead',
      { played_at: new Date(Date.now() + 6 * 60_000).toISOString() },
      'played_at',
      /future/,
    ],
    [
      'a timestamp 31 days old',
      { played_at: new Date(Date.now() - 31 * 86_400_000).toISOString() },
      'played_at',
      /30 days/,
    ],
    ['a timestamp without offset', { played_at: '2026-11-27T10:00:00' }, 'played_at', /offset/],
    ['a negative duration', { ms_played: -5 }, 'ms_played', /≥ 0/],
    ['a malformed event_id', { event_id: 'abc' }, 'event_id', /UUID/],
  ])(
    'names the field for %s, and still accepts the valid events beside it',
    async (_, change, field, message) => {
      const bad = { ...validPlay(), ...change };
      const { status, body } = await post({ events: [validPlay(), bad, validPlay()] });
      expect(status).toBe(202);
      expect(body.accepted).toBe(2);
      expect(body.rejected).toEqual([
        { index: 1, errors: [{ field, message: expect.stringMatching(message) }] },
      ]);
    },
  );

  it('answers 400 with every reason when nothing is valid', async () => {
    const { status, body } = await post({ events: [{ ...validPlay(), region: 'xx' }, { nonsense: true }] });
    expect(status).toBe(400);
    expect(body.accepted).toBe(0);
    expect((body.rejected as { index: number }[]).map((rejection) => rejection.index)).toEqual([0, 1]);
  });

  it('refuses an oversized body with 413', async () => {
    const padding = 'x'.repeat(1024 * 1024);
    const { status, body } = await post({ ...validPlay(), device: padding });
    expect(status).toBe(413);
    expect(body.message).toMatch(/limit is 1048576 bytes/);
  });

  it('answers unknown routes and methods with JSON errors', async () => {
    expect((await fetch(`${runtime.url}/v1/nope`)).status).toBe(404);
    const wrongMethod = await fetch(`${runtime.url}/v1/plays`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('rejects bad chart queries with 400 naming each parameter', async () => {
    const response = await fetch(
      `${runtime.url}/v1/charts?region=mars&period=week&start=2026-11-27T10:30:00Z`,
    );
    const body = (await response.json()) as { errors: { field: string }[] };
    expect(response.status).toBe(400);
    expect(body.errors.map((error) => error.field).sort()).toEqual(['period', 'region']);
    const misaligned = await fetch(
      `${runtime.url}/v1/charts?region=us&period=hour&start=2026-11-27T10:30:00Z`,
    );
    expect(misaligned.status).toBe(400);
    expect(((await misaligned.json()) as { message: string }).message).toMatch(
      /start must be the start of a UTC hour/,
    );
  });

  it('refuses a body that is not declared JSON with 415, so that no page can post plays cross-site without a preflight', async () => {
    for (const contentType of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
      const response = await postPlays(runtime, JSON.stringify(validPlay()), {
        headers: { 'content-type': contentType, origin: 'https://evil.example' },
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { message: string }).message).toMatch(/application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('lets pages read charts cross-origin, and none post plays unless INGEST_CORS_ORIGINS names them', async () => {
    const preflight = (path: string, method: string) =>
      fetch(`${runtime.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': method },
      });
    const charts = await preflight('/v1/charts', 'GET');
    expect(charts.status).toBe(204);
    expect(charts.headers.get('access-control-allow-origin')).toBe('*');
    const plays = await preflight('/v1/plays', 'POST');
    expect(plays.status).toBe(403);
    expect(plays.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.skipIf(!externalAddress)('listens on loopback only by default (HOST)', async () => {
    const { port } = new URL(runtime.url);
    expect(new URL(runtime.url).hostname).toBe('127.0.0.1');
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: externalAddress, port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('is still serving after all of that', async () => {
    const response = await fetch(`${runtime.url}/v1/regions`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { regions: string[] }).regions).toContain('us');
  });
});
