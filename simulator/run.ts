import type { Song } from '../src/adapters/catalog/seeded-catalog.ts';
import { createPlayStream, type PlayKind } from './faults.ts';
import { createListenerPlayGenerator } from './model.ts';
import { backfill, live } from './pacing.ts';
import { type RegionChoice, resolveRegions } from './regions.ts';
import { createSender, type Sender, type SenderStats } from './sender.ts';

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
  /** The songs to play (the server's catalog, read from its lake); default: the seeded catalog of `catalogSeed`. */
  catalog?: readonly Song[];
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

/** Where the run stands; `regions` says which regions it plays in and where they came from. */
export interface SimulationProgress extends RegionChoice {
  phase: SimulationPhase;
  /** Events generated so far, by kind. */
  generated: number;
  byKind: Record<PlayKind, number>;
  stats: SenderStats;
  /** Events answered per second over the last few seconds. */
  currentRate: number;
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

/** The server rejects plays older than 30 days; keep the oldest backfilled hour safely inside. */
export const MAX_BACKFILL_HOURS = 30 * 24 - 1;
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
  const region = await resolveRegions(options.url, options.regions, options.signal);
  const generator = createListenerPlayGenerator({
    seed,
    catalogSeed: options.catalogSeed,
    catalog: options.catalog,
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
