/**
 * Counts across a crash: plays of the last closed hour (short ones and resent ones among them) posted to `npm
 * start`, killed with SIGKILL mid-stream and started again (expectExactlyOnceAcrossKill); then the hour is
 * charted and GET /v1/pipeline must serve exactly the counts computed from what was sent, reconciled.
 */

import { invokeLocally, startLocalProcess } from '../../devkit/local-process.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { type CommittedOffsets, expectExactlyOnceAcrossKill } from './exact-pipeline.ts';
import { expectedHops, expectServedHops, getPipeline } from './pipeline-counts.ts';

const HOUR = 3_600_000;

export async function expectCountsAcrossKill(options: {
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly committed: CommittedOffsets;
}): Promise<void> {
  const regions = ['us', 'gb', 'de'];
  const hourStart = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);
  // Only valid events (resent ones included): every one is a delivery the lake must hold.
  const { deliveries } = generateTraffic({
    seed: 31,
    count: 4000,
    windowStart: hourStart,
    windowMs: HOUR,
    regions,
    songs: 25,
  });
  await expectExactlyOnceAcrossKill({
    env: options.env,
    dataDir: options.dataDir,
    events: deliveries,
    committed: options.committed,
  });
  const running = await startLocalProcess(options.env, ['--no-simulator']);
  try {
    await invokeLocally(options.env, 'chart-hourly', { window_start: hourStart.toISOString() });
    const served = await getPipeline(running.url, 'hour', hourStart);
    expectServedHops(
      served,
      expectedHops({ deliveries, start: hourStart, end: new Date(hourStart.getTime() + HOUR), regions }),
    );
  } finally {
    await running.stop('SIGTERM');
  }
}
