import { afterEach, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationProgress } from '../../../simulator/index.ts';
import { type FakeApi, startFakeApi } from './fake-api.ts';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

type Play = { region: string; played_at: string; event_id: string };
const playsReceived = (fake: FakeApi) => fake.received.flatMap((request) => request.events as Play[]);

describe('runSimulation', () => {
  it('backfills past hours, then sends live plays, stopping at exactly `count` events', async () => {
    api = await startFakeApi();
    const progress: SimulationProgress[] = [];
    const started = Date.now();
    const result = await runSimulation({
      url: api.url,
      rate: 500,
      count: 260,
      backfillHours: 2,
      backfillPerHour: 100,
      invalidRate: 0,
      duplicateRate: 0,
      batchSize: 50,
      quiet: true,
      onProgress: (p) => progress.push(p),
    });
    const plays = playsReceived(api);
    expect(plays).toHaveLength(260);
    expect(result).toMatchObject({
      stoppedBy: 'count',
      generated: 260,
      ok: true,
      unreachable: false,
      phase: 'done',
    });
    expect(result.stats).toMatchObject({ sent: 260, accepted: 260, failed: 0 });
    expect(result.regions).toEqual(['us', 'jp']);
    expect(result.regionsSource).toBe('server');
    expect(new Set(plays.map((play) => play.region))).toEqual(new Set(['us', 'jp']));
    // 200 backfilled plays spread over the two hours before the start, then 60 live plays.
    const stamps = plays.map((play) => Date.parse(play.played_at));
    const backfilled = stamps.filter((at) => at < started);
    expect(backfilled).toHaveLength(200);
    expect(Math.min(...backfilled)).toBeGreaterThanOrEqual(started - 2 * 3_600_000 - 1000);
    expect(backfilled.filter((at) => at < started - 3_600_000).length).toBeGreaterThan(50);
    expect(Math.max(...stamps)).toBeLessThanOrEqual(Date.now());
    expect(progress.at(-1)?.phase).toBe('done');
  });

  it('paces live plays at about the rate and stops after the duration', async () => {
    api = await startFakeApi();
    const result = await runSimulation({
      url: api.url,
      rate: 100,
      durationMs: 1500,
      regions: ['gb'],
      quiet: true,
    });
    expect(result.stoppedBy).toBe('duration');
    expect(result.regionsSource).toBe('option');
    expect(result.generated).toBeGreaterThan(100);
    expect(result.generated).toBeLessThan(200);
    expect(playsReceived(api)).toHaveLength(result.generated);
  });

  it('stops when its signal aborts, delivering what it had generated', async () => {
    api = await startFakeApi();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 600);
    const result = await runSimulation({ url: api.url, rate: 200, signal: abort.signal, quiet: true });
    expect(result.stoppedBy).toBe('signal');
    expect(result.stats.sent + result.stats.unsent).toBe(result.generated);
    expect(result.ok).toBe(true);
  });

  it('reports an unreachable target and falls back to the default regions', async () => {
    api = await startFakeApi();
    const url = api.url;
    await api.close();
    api = undefined;
    const result = await runSimulation({
      url,
      rate: 200,
      stopIfUnreachable: true,
      quiet: true,
      durationMs: 60_000,
    });
    expect(result).toMatchObject({
      stoppedBy: 'unreachable',
      unreachable: true,
      ok: false,
      regionsSource: 'default',
    });
    expect(result.regionsError).toMatch(/ECONNREFUSED/);
    expect(result.regions).toEqual(['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in']);
  });

  it('stops at once when the API refuses its key', async () => {
    api = await startFakeApi(() => ({ status: 403, body: { message: 'Forbidden' } }));
    const result = await runSimulation({
      url: api.url,
      apiKey: 'tsk_revoked',
      rate: 200,
      quiet: true,
      durationMs: 60_000,
    });
    expect(result).toMatchObject({ stoppedBy: 'refused', ok: false });
    expect(result.stats.refusedBatches).toBeGreaterThan(0);
    // Every request the API saw (at least one) carried the key.
    expect(new Set(api.received.map((request) => request.authorization))).toEqual(
      new Set(['Bearer tsk_revoked']),
    );
  });

  it('refuses a backfill the server would reject as too old', async () => {
    await expect(runSimulation({ url: 'http://127.0.0.1:9', backfillHours: 24 * 30 })).rejects.toThrow(
      /backfillHours/,
    );
  });
});
