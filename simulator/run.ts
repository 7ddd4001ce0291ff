import { defaultRegions, GLOBAL_REGION } from '../src/domain/regions.ts';
import { createPlayStream, type PlayKind } from './faults.ts';
import { uniformTimes } from './generate.ts';
import { createPlayGenerator } from './model.ts';
import { createSender, describeError, type Sender, type SenderStats } from './sender.ts';

export interface SimulationOptions {
  /** Base URL of the API, e.g. http://localhost:3000. */
  url: string;
  /** The API key for POST /v1/plays (`Authorization: Bearer`). */
  apiKey?: string;
  /** Live events per second. */
  rate?: number;
  seed?: number;
  /** Seed of the catalog whose songs are played (tastes follow its genres and artists); default `seed`. */
  catalogSeed?: number;
  /** Length of the live phase; unset: until `signal` aborts (or `count` is reached). */
  durationMs?: number;
  /** Stop after exactly this many events (backfill included). */
  count?: number;
  /** Region codes; unset: GET /v1/regions, falling back to the default list. */
  regions?: readonly string[];
  batchSize?: number;
  concurrency?: number;
  /** First send this many past hours of plays (as fast as the server takes them), then go live. */
  backfillHours?: number;
  /** Events per backfilled hour; default one minute of live traffic (60 × rate). */
  backfillPerHour?: number;
  duplicateRate?: number;
  invalidRate?: number;
  shortRate?: number;
  /** Stops the run: production stops at once, in-flight batches get `drainTimeoutMs` to finish. */
  signal?: AbortSignal;
  drainTimeoutMs?: number;
  onProgress?: (progress: SimulationProgress) => void;
  progressIntervalMs?: number;
  /**
   * runSimulation never prints progress (see onProgress), but by default it warns on stderr when the
   * server's regions can't be read or batches fail (at most every 10 s). `quiet` silences that too.
   */
  quiet?: boolean;
  /** Stop early when the first batches all fail and none was ever answered (the CLI wants this; a self-feeding app doesn't). */
  stopIfUnreachable?: boolean;
}

export type SimulationPhase = 'backfill' | 'live' | 'draining' | 'done';

export interface SimulationProgress {
  phase: SimulationPhase;
  /** Events generated so far, by kind. */
  generated: number;
  byKind: Record<PlayKind, number>;
  stats: SenderStats;
  /** Events answered per second over the last few seconds. */
  currentRate: number;
  regions: readonly string[];
  regionsSource: 'option' | 'server' | 'default';
  /** Why the server's regions could not be used, when regionsSource is 'default'. */
  regionsError: string | undefined;
  elapsedMs: number;
}

export interface SimulationResult extends SimulationProgress {
  /** `refused`: the API refused the key (401, 403); nothing would get through. */
  stoppedBy: 'count' | 'duration' | 'signal' | 'unreachable' | 'refused';
  /** No batch was ever answered although some were sent. */
  unreachable: boolean;
  /** Neither unreachable nor a majority of batches failed. */
  ok: boolean;
}

const HOUR_MS = 3_600_000;
/** The server rejects plays older than 30 days; keep the oldest backfilled hour safely inside. */
export const MAX_BACKFILL_HOURS = 30 * 24 - 1;
const TICK_MS = 100;
const FLUSH_EVERY_MS = 1000;
const RATE_WINDOW_MS = 5000;

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const rate = options.rate ?? 50;
  const seed = options.seed ?? 1;
  const backfillHours = options.backfillHours ?? 0;
  if (!(rate > 0)) throw new Error(`rate must be positive, got ${rate}`);
  if (!Number.isInteger(backfillHours) || backfillHours < 0 || backfillHours > MAX_BACKFILL_HOURS) {
    throw new Error(
      `backfillHours must be an integer from 0 to ${MAX_BACKFILL_HOURS} (30 days), got ${backfillHours}`,
    );
  }
  const startedAt = performance.now();
  const region = await resolveRegions(options);
  const generator = createPlayGenerator({
    seed,
    catalogSeed: options.catalogSeed,
    regions: region.regions,
    shortRate: options.shortRate,
  });
  const stream = createPlayStream(generator, {
    seed,
    duplicateRate: options.duplicateRate,
    invalidRate: options.invalidRate,
  });
  const stopSending = new AbortController();
  const sender = createSender({
    url: options.url,
    apiKey: options.apiKey,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    signal: stopSending.signal,
  });

  let phase: SimulationPhase = backfillHours > 0 ? 'backfill' : 'live';
  let generated = 0;
  const byKind: Record<PlayKind, number> = { valid: 0, duplicate: 0, invalid: 0 };
  let stoppedBy: SimulationResult['stoppedBy'] | undefined;
  // Recent (time, sent) samples: the current rate is measured over the last few seconds, since
  // at low rates a whole batch lands at once and a per-tick rate would jump between 0 and 2× the rate.
  const samples: { at: number; sent: number }[] = [{ at: startedAt, sent: 0 }];

  const snapshot = (): SimulationProgress => {
    const stats = sender.stats();
    const now = performance.now();
    while (samples.length > 1 && now - samples[1]!.at >= RATE_WINDOW_MS) samples.shift();
    const oldest = samples[0]!;
    const currentRate = now > oldest.at ? ((stats.sent - oldest.sent) * 1000) / (now - oldest.at) : 0;
    samples.push({ at: now, sent: stats.sent });
    return {
      phase,
      generated,
      byKind: { ...byKind },
      stats,
      currentRate,
      ...region,
      elapsedMs: now - startedAt,
    };
  };
  const warn = createWarner(options.quiet === true);
  if (region.regionsError) {
    warn.say(
      `could not read regions from the server (${region.regionsError}); using ${region.regions.join(',')}`,
    );
  }
  const report = () => {
    const progress = snapshot();
    warn.check(progress.stats);
    options.onProgress?.(progress);
  };
  const progressTimer = setInterval(report, options.progressIntervalMs ?? 1000);

  // Checked before each event: is the run over?
  const shouldStop = (): boolean => {
    if (stoppedBy) return true;
    if (options.signal?.aborted) stoppedBy = 'signal';
    else if (options.count !== undefined && generated >= options.count) stoppedBy = 'count';
    else if (sender.stats().refusedBatches > 0) stoppedBy = 'refused';
    else if (options.stopIfUnreachable && looksUnreachable(sender.stats())) stoppedBy = 'unreachable';
    return stoppedBy !== undefined;
  };
  const emit = async (at: Date): Promise<void> => {
    const item = stream.next(at);
    generated += 1;
    byKind[item.kind] += 1;
    await sender.push(item.payload);
  };

  try {
    const liveStart = Date.now();
    if (backfillHours > 0) {
      const perHour = options.backfillPerHour ?? Math.round(rate * 60);
      await backfill({ seed, hours: backfillHours, perHour, end: liveStart, emit, shouldStop });
      await sender.flush();
      phase = 'live';
      report();
    }
    await live({ rate, durationMs: options.durationMs, sender, emit, shouldStop, signal: options.signal });
    stoppedBy ??= 'duration';
  } finally {
    phase = 'draining';
    // Unreachable or refused: nothing in flight will get through, so stop at once. Aborted: give in-flight
    // batches a moment.
    const graceMs =
      stoppedBy === 'unreachable' || stoppedBy === 'refused'
        ? 0
        : options.signal?.aborted
          ? (options.drainTimeoutMs ?? 5000)
          : undefined;
    await drain(sender, stopSending, graceMs);
    clearInterval(progressTimer);
  }
  phase = 'done';
  const progress = snapshot();
  const unreachable = looksUnreachable(progress.stats) || stoppedBy === 'unreachable';
  const ok =
    !unreachable &&
    progress.stats.refusedBatches === 0 &&
    progress.stats.failedBatches <= progress.stats.batches;
  const result: SimulationResult = { ...progress, stoppedBy: stoppedBy ?? 'duration', unreachable, ok };
  options.onProgress?.(result);
  return result;
}

/** Warnings on stderr about new trouble, at most every 10 s so a dead server doesn't flood the console. */
function createWarner(quiet: boolean) {
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastTrouble = 0;
  return {
    say(message: string): void {
      if (!quiet) console.warn(`simulator: ${message}`);
    },
    check(stats: SenderStats): void {
      const trouble = stats.retried + stats.failed;
      const now = performance.now();
      if (quiet || trouble <= lastTrouble || now - lastAt < 10_000) return;
      lastAt = now;
      lastTrouble = trouble;
      console.warn(
        `simulator: ${stats.failed} events failed and ${stats.retried} requests retried so far; last error: ${stats.lastError}`,
      );
    },
  };
}

function looksUnreachable(stats: SenderStats): boolean {
  return stats.batches === 0 && stats.failedBatches > 0;
}

interface Emitting {
  emit(at: Date): Promise<void>;
  shouldStop(): boolean;
}

/** Past hours, oldest first, each with `perHour` plays spread over it, ending where live traffic starts. */
async function backfill(
  run: Emitting & { seed: number; hours: number; perHour: number; end: number },
): Promise<void> {
  for (let hour = run.hours; hour >= 1; hour--) {
    const from = new Date(run.end - hour * HOUR_MS);
    for (const at of uniformTimes(`backfill:${run.seed}`, run.perHour, from, HOUR_MS)) {
      if (run.shouldStop()) return;
      await run.emit(at);
    }
  }
}

/** Paced production: each tick emits what the rate owes, stamped evenly over the tick. */
async function live(
  run: Emitting & {
    rate: number;
    durationMs: number | undefined;
    sender: Sender;
    signal: AbortSignal | undefined;
  },
): Promise<void> {
  const start = performance.now();
  let previousTick = Date.now();
  let owed = 0;
  let lastFlush = start;
  while (!run.shouldStop()) {
    const now = performance.now();
    if (run.durationMs !== undefined && now - start >= run.durationMs) return;
    const wallNow = Date.now();
    // If the server can't keep up, forget the backlog beyond two seconds instead of bursting later.
    owed = Math.min(owed + (run.rate * Math.max(0, wallNow - previousTick)) / 1000, run.rate * 2 + 1);
    const due = Math.floor(owed);
    for (let i = 1; i <= due; i++) {
      if (run.shouldStop()) return;
      await run.emit(new Date(previousTick + Math.round(((wallNow - previousTick) * i) / due)));
      owed -= 1;
    }
    previousTick = wallNow;
    if (now - lastFlush >= FLUSH_EVERY_MS) {
      // At low rates a batch takes long to fill; don't let plays wait more than a second.
      await run.sender.flush();
      lastFlush = now;
    }
    await sleep(TICK_MS, run.signal);
  }
}

async function drain(
  sender: Sender,
  stopSending: AbortController,
  graceMs: number | undefined,
): Promise<void> {
  if (graceMs === undefined) {
    await sender.drain();
    return;
  }
  const timer = setTimeout(() => stopSending.abort(), graceMs);
  try {
    await sender.drain();
  } finally {
    clearTimeout(timer);
  }
}

async function resolveRegions(
  options: SimulationOptions,
): Promise<Pick<SimulationProgress, 'regions' | 'regionsSource' | 'regionsError'>> {
  if (options.regions && options.regions.length > 0) {
    return { regions: [...options.regions], regionsSource: 'option', regionsError: undefined };
  }
  try {
    return {
      regions: await fetchRegions(options.url, options.signal),
      regionsSource: 'server',
      regionsError: undefined,
    };
  } catch (error) {
    return { regions: [...defaultRegions], regionsSource: 'default', regionsError: describeError(error) };
  }
}

/** GET /v1/regions → `{ regions: string[] }` (the `global` pseudo-region is never a play's region). */
export async function fetchRegions(url: string, signal?: AbortSignal): Promise<string[]> {
  const timeout = AbortSignal.timeout(3000);
  const response = await fetch(`${url.replace(/\/+$/, '')}/v1/regions`, {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!response.ok) throw new Error(`GET /v1/regions answered HTTP ${response.status}`);
  const body = (await response.json()) as { regions?: unknown };
  const regions = Array.isArray(body.regions)
    ? body.regions.filter((code): code is string => typeof code === 'string' && code !== GLOBAL_REGION)
    : [];
  if (regions.length === 0) throw new Error('GET /v1/regions returned no regions');
  return regions;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
