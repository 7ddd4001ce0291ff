/** How a simulation produces plays over time: past hours first (backfill), then paced live traffic. */
import { uniformTimes } from './generate.ts';
import type { Sender } from './sender.ts';

const HOUR_MS = 3_600_000;
const TICK_MS = 100;
const FLUSH_EVERY_MS = 1000;

export interface Emitting {
  emit(at: Date): Promise<void>;
  shouldStop(): boolean;
}

/** Past hours, oldest first, each with `perHour` plays spread over it, ending where live traffic starts. */
export async function backfill(
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
export async function live(
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
